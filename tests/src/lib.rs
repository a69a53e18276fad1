//! Local Tencent Cloud API emulator.
