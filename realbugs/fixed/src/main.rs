//! The real-bug corpus against the releases that fixed them: prints the table and fails on any failure.

#[path = "../../corpus/mod.rs"]
mod corpus;
#[path = "../../harness.rs"]
mod harness;

fn main() {
    harness::main(harness::Build::Fixed, include_str!("../Cargo.toml"));
}
