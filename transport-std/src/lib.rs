//! Async Tencent Cloud API 3.0 client (tokio + reqwest).
