//! soku-sandbox: an offline Soku API server.
