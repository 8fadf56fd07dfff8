//! `cap.call` and `model-service.*`: the echo capability, the mock adapters
//! (`cap.navigation.v1`, `cap.motion.v1`, `cap.tamp.v1`) and the model-service capabilities
//! answering as a build without the model-service bridge does.

pub mod json;
