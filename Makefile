# Placeholder until the web foundation lands: native tests only.
.PHONY: test
test:
	cargo test
