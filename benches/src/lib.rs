//! Benchmark harness for `soku`.
//!
//! The numbers themselves come from `benches/run.sh`, which builds everything in release mode,
//! starts a [`fixed`] response server (client cost only) and the `soku-sandbox` (realistic server
//! cost), runs every client harness against both and prints one table with `bench-report`.
//! Nothing here asserts a timing; the tests only check that the harnesses measure what they say
//! (the same bytes on the wire, the connection count the server reports).
//!
//! The binaries:
//! - `fixed-server`: one fixed `201 {"postSubmissionId": …}` answer; counts TCP connections.
//! - `bench-rust`: N sequential create-post calls through `soku::Client` or raw `ureq`.
//! - `bench-report`: turns the result files of every harness into the table.
//!
//! ```no_run
//! let server = soku_bench::fixed::FixedServer::start("127.0.0.1:0")?;
//! println!("{}", server.url());
//! # Ok::<(), std::io::Error>(())
//! ```
#![deny(missing_docs)]

pub mod alloc;
pub mod cli;
pub mod clients;
pub mod fixed;
pub mod payload;
pub mod procfs;
pub mod results;
pub mod stats;
