//! The pacer: where the next cycle's heap goal is, and how early the cycle
//! must start so that marking, at a quarter of the processors plus the
//! help of allocating goroutines, ends by the goal.
//!
//! The model is upstream 1.22's (the spec): the goal is GOGC percent more
//! than what the last cycle found live, counting the goroutine stacks and
//! globals it scanned as well; the cycle starts a runway before the goal,
//! the bytes the program will allocate while the collector does a cycle's
//! scan work at its target share of the processors. What links the two is
//! the cons/mark ratio measured on each finished cycle: how fast the
//! program allocated (bytes per processor-second it had) over how fast the
//! collector scanned (bytes per processor-second it used). The estimate is
//! the largest of the last five measurements, which errs on the side of
//! starting early (fewer assists) when measurements are noisy. The start
//! stays between 45/64 and 61/64 of the way from the live heap to the goal
//! (for big heaps: at most the goal minus 4 MB).
//!
//! Plain arithmetic over numbers the collector hands in (gc/mod.rs keeps
//! one `Pacer` under its lock), so that it is tested on its own below.

/// The collector's target share of the processors while it marks.
pub const GOAL_UTILIZATION: f64 = 0.25;
/// The smallest goal at GOGC=100 (scaled by GOGC).
pub const HEAP_MINIMUM: usize = 4 << 20;
/// Bounds of the start, in 64ths of the way from live heap to goal.
const MIN_START_64THS: usize = 45;
const MAX_START_64THS: usize = 61;

/// What a finished concurrent cycle measured.
#[derive(Clone, Copy, Debug, Default)]
pub struct Cycle {
    /// Heap bytes in use when the cycle started, and when marking ended.
    pub live_at_start: usize,
    pub live_at_end: usize,
    /// Bytes scanned: heap objects, goroutine stacks, data and bss.
    pub heap_scan: usize,
    pub stack_scan: usize,
    pub globals_scan: usize,
    /// Marking's wall time and the processors there were.
    pub mark_ns: i64,
    pub procs: u32,
    /// Processor time spent marking: by workers and assists (the
    /// collector's own share), and by idle processors (time nothing else
    /// wanted).
    pub worker_ns: u64,
    pub assist_ns: u64,
    pub idle_ns: u64,
}

pub struct Pacer {
    /// The estimate used now, and the last measurements (newest last).
    cons_mark: f64,
    history: [f64; 4],
    /// The last cycle's scan work, the expected work of the next.
    last_heap_scan: usize,
    last_stack_scan: usize,
    globals_scan: usize,
}

impl Pacer {
    pub const fn new() -> Pacer {
        Pacer { cons_mark: 0.0, history: [0.0; 4], last_heap_scan: 0, last_stack_scan: 0, globals_scan: 0 }
    }

    /// Learn from a finished cycle. Cycles that ran with the world stopped
    /// (forced ones, GORT_GC=stw) say nothing about the program's pace:
    /// only their scan work is recorded.
    pub fn end_cycle(&mut self, c: &Cycle, concurrent: bool) {
        self.last_heap_scan = c.heap_scan;
        self.last_stack_scan = c.stack_scan;
        self.globals_scan = c.globals_scan;
        if !concurrent || c.mark_ns <= 0 || c.procs == 0 || c.live_at_end <= c.live_at_start {
            return;
        }
        let total = c.mark_ns as f64 * c.procs as f64;
        // The collector's share (workers and assists) and what idle
        // processors added.
        let used = ((c.worker_ns + c.assist_ns) as f64 / total).clamp(0.0, 0.95);
        let idle = (c.idle_ns as f64 / total).clamp(0.0, 1.0);
        let work = (c.heap_scan + c.stack_scan + c.globals_scan).max(1) as f64;
        // (allocated / mutator time) / (scanned / collector time); the
        // wall time and processor count cancel out.
        let measured = (c.live_at_end - c.live_at_start) as f64 * (used + idle) / (work * (1.0 - used));
        self.cons_mark = self.history.iter().fold(measured, |a, &b| a.max(b));
        self.history.rotate_left(1);
        self.history[3] = measured;
    }

    /// The heap goal after a cycle that found `marked` bytes live (GOGC
    /// `pct`, negative: no goal).
    pub fn goal(&self, marked: usize, pct: i64) -> usize {
        if pct < 0 {
            return usize::MAX;
        }
        let percent = |n: usize| usize::try_from(n as u128 * pct as u128 / 100).unwrap_or(usize::MAX);
        let base = marked + self.last_stack_scan + self.globals_scan;
        marked.saturating_add(percent(base)).max(percent(HEAP_MINIMUM)).max(1 << 20)
    }

    /// Heap bytes at which the next cycle starts, for this goal.
    pub fn trigger(&self, marked: usize, goal: usize) -> usize {
        if goal == usize::MAX {
            return goal;
        }
        if marked >= goal {
            return goal;
        }
        let way = goal - marked;
        let lo = marked + way / 64 * MIN_START_64THS;
        let mut hi = marked + way / 64 * MAX_START_64THS;
        if goal > HEAP_MINIMUM && goal - HEAP_MINIMUM > hi {
            hi = goal - HEAP_MINIMUM;
        }
        let hi = hi.max(lo);
        let work = (self.last_heap_scan + self.last_stack_scan + self.globals_scan) as f64;
        let runway = self.cons_mark * (1.0 - GOAL_UTILIZATION) / GOAL_UTILIZATION * work;
        let start = if runway >= goal as f64 { lo } else { goal - runway as usize };
        start.clamp(lo, hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cycle(alloc: usize, scanned: usize, used: f64, idle: f64) -> Cycle {
        let mark_ns = 10_000_000;
        let procs = 4;
        let total = (mark_ns * procs) as f64;
        Cycle {
            live_at_start: 100 << 20,
            live_at_end: (100 << 20) + alloc,
            heap_scan: scanned,
            stack_scan: 0,
            globals_scan: 0,
            mark_ns,
            procs: procs as u32,
            worker_ns: (total * used) as u64,
            assist_ns: 0,
            idle_ns: (total * idle) as u64,
        }
    }

    #[test]
    fn goal_counts_stacks_and_globals() {
        let mut p = Pacer::new();
        assert_eq!(p.goal(100 << 20, 100), 200 << 20);
        assert_eq!(p.goal(1 << 20, 100), HEAP_MINIMUM);
        assert_eq!(p.goal(1 << 20, 50), HEAP_MINIMUM / 2);
        assert_eq!(p.goal(100 << 20, -1), usize::MAX);
        p.end_cycle(&Cycle { stack_scan: 10 << 20, globals_scan: 2 << 20, ..Default::default() }, false);
        assert_eq!(p.goal(100 << 20, 100), (212 << 20));
    }

    #[test]
    fn trigger_stays_within_bounds() {
        let p = Pacer::new();
        let (marked, goal) = (100 << 20, 200 << 20);
        // No measurement yet: no runway, as late as allowed.
        assert_eq!(p.trigger(marked, goal), goal - HEAP_MINIMUM);
        // A small heap: at most 61/64 of the way.
        assert_eq!(p.trigger(1 << 20, 4 << 20), (1 << 20) + (3 << 20) / 64 * 61);
        assert_eq!(p.trigger(marked, usize::MAX), usize::MAX);
        assert_eq!(p.trigger(goal, goal), goal);
    }

    #[test]
    fn faster_allocation_starts_earlier() {
        let (marked, goal) = (100 << 20, 200 << 20);
        let mut slow = Pacer::new();
        slow.end_cycle(&cycle(5 << 20, 100 << 20, 0.25, 0.0), true);
        let mut fast = Pacer::new();
        fast.end_cycle(&cycle(40 << 20, 100 << 20, 0.25, 0.0), true);
        let (ts, tf) = (slow.trigger(marked, goal), fast.trigger(marked, goal));
        assert!(tf < ts, "fast {tf} slow {ts}");
        // Allocating 5 MB while scanning 100 MB at a quarter of the
        // processors: cons/mark = 5/100 * 0.25/0.75, runway = cons/mark *
        // 3 * 100 MB = 5 MB.
        assert_eq!(ts, goal - (5 << 20));
        // A runway beyond the bounds is clamped to the earliest start.
        let mut wild = Pacer::new();
        wild.end_cycle(&cycle(400 << 20, 10 << 20, 0.25, 0.0), true);
        assert_eq!(wild.trigger(marked, goal), marked + (100 << 20) / 64 * 45);
    }

    #[test]
    fn estimate_is_the_largest_of_recent_cycles() {
        let (marked, goal) = (100 << 20, 200 << 20);
        let mut p = Pacer::new();
        p.end_cycle(&cycle(40 << 20, 100 << 20, 0.25, 0.0), true);
        let early = p.trigger(marked, goal);
        for _ in 0..4 {
            p.end_cycle(&cycle(5 << 20, 100 << 20, 0.25, 0.0), true);
            assert_eq!(p.trigger(marked, goal), early);
        }
        // Five calm cycles later the burst is forgotten.
        p.end_cycle(&cycle(5 << 20, 100 << 20, 0.25, 0.0), true);
        assert_eq!(p.trigger(marked, goal), goal - (5 << 20));
    }

    #[test]
    fn stopped_cycles_only_record_work() {
        let mut p = Pacer::new();
        p.end_cycle(&cycle(40 << 20, 100 << 20, 0.25, 0.0), false);
        assert_eq!(p.trigger(100 << 20, 200 << 20), (200 << 20) - HEAP_MINIMUM);
    }
}
