//! tillbook-core's integration tests: one binary, one module per concern.

mod common;
mod etims;
mod posting_examples;
mod properties;
mod seeded;
mod validation;
