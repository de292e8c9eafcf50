//! Which clock the benchmarks measure with, shared by `generator/benches/generate.rs`
//! and `benches/requests.rs` (included with `#[path]`).
//!
//! `BENCH_CLOCK=wall` (default): criterion's own wall-clock timing.
//! `BENCH_CLOCK=cpu`: CPU time (`clock_gettime`), reported to criterion through
//! `iter_custom`: the calling thread's for single-threaded work, the whole
//! process's (all threads, user + system) for the request benchmarks, whose
//! server runs on a second thread. CPU time does not count time spent waiting
//! for a core, so it stays meaningful on a loaded machine; wall time is what a
//! user waits on an idle one. Results go to groups suffixed `_cpu`.

#![allow(dead_code)] // each includer uses part of this

use std::time::Duration;

/// The clock of this run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// Criterion's wall-clock measurement.
    Wall,
    /// CPU time.
    Cpu,
}

impl Clock {
    /// From `BENCH_CLOCK` (`wall` or `cpu`; default `wall`).
    pub fn from_env() -> Clock {
        match std::env::var("BENCH_CLOCK").as_deref() {
            Err(_) | Ok("") | Ok("wall") => Clock::Wall,
            Ok("cpu") => Clock::Cpu,
            Ok(other) => panic!("BENCH_CLOCK must be `wall` or `cpu`, not `{other}`"),
        }
    }

    /// The criterion group name for `base` under this clock.
    pub fn group(self, base: &str) -> String {
        match self {
            Clock::Wall => base.to_owned(),
            Clock::Cpu => format!("{base}_cpu"),
        }
    }
}

fn cpu_time(clock: libc::clockid_t) -> Duration {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; both clock ids exist on Linux.
    let rc = unsafe { libc::clock_gettime(clock, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime failed");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// CPU time of the calling thread.
pub fn thread_cpu() -> Duration {
    cpu_time(libc::CLOCK_THREAD_CPUTIME_ID)
}

/// CPU time of the whole process (all threads).
pub fn process_cpu() -> Duration {
    cpu_time(libc::CLOCK_PROCESS_CPUTIME_ID)
}

/// Measures `routine` under `clock`, excluding the drop of its outputs.
pub fn measure<O>(b: &mut criterion::Bencher<'_>, clock: Clock, mut routine: impl FnMut() -> O) {
    match clock {
        Clock::Wall => b.iter_with_large_drop(routine),
        Clock::Cpu => b.iter_custom(|iters| {
            let mut outputs = Vec::with_capacity(usize::try_from(iters).unwrap_or(0));
            let start = thread_cpu();
            for _ in 0..iters {
                outputs.push(std::hint::black_box(routine()));
            }
            let spent = thread_cpu() - start;
            drop(outputs);
            spent
        }),
    }
}

/// Measures `routine` on inputs made by `setup` (not measured) under `clock`.
pub fn measure_batched<I, O>(
    b: &mut criterion::Bencher<'_>,
    clock: Clock,
    mut setup: impl FnMut() -> I,
    mut routine: impl FnMut(I) -> O,
) {
    match clock {
        Clock::Wall => b.iter_batched(setup, routine, criterion::BatchSize::PerIteration),
        Clock::Cpu => b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                let input = setup();
                let start = thread_cpu();
                let output = std::hint::black_box(routine(input));
                spent += thread_cpu() - start;
                drop(output);
            }
            spent
        }),
    }
}
