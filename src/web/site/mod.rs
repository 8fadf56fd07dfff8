//! The live documentation site (owned by web2): docs rendering, the code editor binding,
//! search, runnable examples, the jobs panel and plots, the playground, the tour and the
//! bridge console. Every component takes its inputs as props and reads the shell's
//! `Session` context where it needs jobs.

pub mod docs;
pub mod editor;
pub mod search;
pub mod util;
