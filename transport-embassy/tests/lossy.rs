//! Packet loss: the link drops every 7th packet in each direction (handshake included).
//! The calls still succeed, through smoltcp's retransmissions, and the process sleeps
//! through the retransmit backoff instead of spinning: its CPU time stays a small fraction
//! of the wall time. (Its own test binary, so no other test shares the process.)

mod support;

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use support::*;
use tencentcloud_embassy_host::{HostNet, block_on};

/// User + system CPU time of this process (all threads), from /proc.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (which is in parentheses): utime is the 12th, stime the 13th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10)) // USER_HZ is 100 on Linux
}

fn run(drop_every: Option<u32>, calls: usize) -> (Duration, Option<Duration>, u64, u64) {
    block_on(async {
        let emu = emulator(true).await;
        let net = HostNet::start(drop_every).await;
        net.forward(443, emu.addr()).await;
        let ca = emu.ca_der().unwrap();
        let mut config = quick_config();
        config.io_timeout = embassy_time::Duration::from_secs(30);
        config.response_timeout = embassy_time::Duration::from_secs(60);
        let (cpu0, wall0) = (cpu_time(), Instant::now());
        for i in 0..calls {
            let body = device_call(&net, &ca, &mut TestClock::system(), config, 8192).await;
            assert!(body.is_ok(), "call {i} with drop_every {drop_every:?}: {body:?}");
        }
        let wall = wall0.elapsed();
        let cpu = cpu_time().zip(cpu0).map(|(a, b)| a.saturating_sub(b));
        let verified = emu.requests().iter().filter(|r| r.verification.is_verified()).count();
        assert_eq!(verified, calls);
        (wall, cpu, net.stats.sent.load(Ordering::Relaxed), net.stats.dropped.load(Ordering::Relaxed))
    })
}

#[test]
fn calls_survive_packet_loss_without_busy_looping() {
    let calls = 3;
    let (clean_wall, clean_cpu, clean_sent, _) = run(None, calls);
    let (wall, cpu, sent, dropped) = run(Some(7), calls);
    println!(
        "packet loss: {calls} TLS calls, clean link {clean_wall:?} wall / {clean_cpu:?} CPU / {clean_sent} packets; \
         1 in 7 dropped (each way): {wall:?} wall / {cpu:?} CPU / {sent} packets ({dropped} dropped)"
    );
    assert!(dropped > 0);
    if let Some(cpu) = cpu {
        // Retransmit timeouts are at least 1 s each: the lossy run waits far longer than it
        // computes. A stack spinning through the backoff would burn a whole core.
        assert!(
            cpu.as_secs_f64() < 0.5 * wall.as_secs_f64(),
            "CPU {cpu:?} over wall {wall:?}: the stack is busy-looping"
        );
    }
}
