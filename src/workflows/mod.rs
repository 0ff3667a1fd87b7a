//! Compositions of resource calls.
