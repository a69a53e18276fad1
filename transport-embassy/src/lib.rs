//! Tencent Cloud API calls from no_std devices.
#![no_std]
