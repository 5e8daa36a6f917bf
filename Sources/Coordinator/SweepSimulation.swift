// SweepSimulation: the real coordinator (sampler, stopper, store) driven by simulated workers on
// a virtual clock, with synthetic learning curves instead of training; no MPI. It measures what
// rank 0 sustains at scales no test machine can train (10,000 workers, 200,000 trials) and
// compares schedulers on a curve family whose final value depends on the configuration.
import Cluster
import Foundation
import Search
import Storage

public struct SweepSimulation {
    /// The synthetic learning curves: loss(e) = floor + gap · e^(−rate) + noise, where the
    /// floor (the value trained to convergence) depends on the configuration: a quadratic bowl
    /// in log learning rate and log width, so some configurations are simply better; the gap and
    /// rate vary per trial so that early leaders are not always the final ones (what makes early
    /// stopping a gamble). Virtual seconds per epoch grow with the width.
    public struct Curve: Sendable {
        public var floor: Double
        public var gap: Double
        public var rate: Double
        public var epochSeconds: Double
        public var seed: UInt64

        public init(_ configuration: Configuration, seed: UInt64) {
            let lr = configuration["learning_rate"]?.doubleValue ?? 1e-3
            let width = configuration["width"]?.doubleValue ?? 256
            let a = log10(lr) + 2.7, b = log2(width) - 8.5
            floor = 0.25 + 0.06 * a * a + 0.012 * b * b
            var r = SplitMix(seed: seed)
            gap = 0.8 + 1.4 * r.next()
            rate = 0.35 + 0.9 * r.next() * (1.3 - min(max(a, -1), 1) * 0.3)
            epochSeconds = 60 * (0.6 + 0.8 * r.next()) * (0.5 + width / 1024)
            self.seed = seed
        }

        public static let optimum = 0.25

        public func value(epoch: Int) -> Double {
            var r = SplitMix(seed: seed ^ UInt64(epoch) &* 0x9E3779B97F4A7C15)
            return floor + gap * pow(Double(epoch), -rate) + 0.01 * (r.next() - 0.5)
        }
    }

    /// SplitMix64 → uniform [0, 1).
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> Double {
            state &+= 0x9E3779B97F4A7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
            z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
            z ^= z >> 31
            return Double(z >> 11) / Double(1 << 53)
        }
    }

    public struct Result: Sendable {
        public var trials: Int
        public var reports: Int
        public var wallSeconds: Double
        public var virtualSeconds: Double
        public var epochsSpent: Int
        public var epochsFullBudget: Int
        /// The true floor of the trial the sweep picks (best observed value) minus the best floor
        /// of the space (`Curve.optimum`).
        public var finalRegret: Double
        /// The best floor among the trials sampled minus the optimum: what training every trial
        /// to the end would have picked.
        public var sampledRegret: Double
        /// (virtual seconds, regret) whenever the best-so-far changed.
        public var regretOverTime: [(Double, Double)]
        public var storeWrites: Int
        public var reportsPerSecond: Double { Double(reports) / max(wallSeconds, 1e-9) }
    }

    public let spec: SweepSpec
    public let store: any Store
    public let run: RunDirectory
    public let workers: Int
    /// The MPI loop's group commit under load (its queue never empty): a transaction ends after
    /// `batch` events or `commitWindow` seconds (`CoordinatorLoop.commitLimit`, `commitWindow`).
    public var batch = 4096
    public var commitWindow = 0.05

    public init(spec: SweepSpec, store: any Store, run: RunDirectory, workers: Int) {
        self.spec = spec
        self.store = store
        self.run = run
        self.workers = workers
    }

    /// A min-heap of (virtual time, worker).
    struct EventQueue {
        var heap: [(time: Double, worker: Int)] = []
        mutating func push(_ e: (time: Double, worker: Int)) {
            heap.append(e)
            var i = heap.count - 1
            while i > 0 {
                let p = (i - 1) / 2
                guard heap[i].time < heap[p].time || (heap[i].time == heap[p].time && heap[i].worker < heap[p].worker) else { break }
                heap.swapAt(i, p)
                i = p
            }
        }
        mutating func pop() -> (time: Double, worker: Int)? {
            guard !heap.isEmpty else { return nil }
            let top = heap[0]
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                var i = 0
                // (No `for c in [l, r]`: that allocated an array per level of every pop.)
                func before(_ a: Int, _ b: Int) -> Bool {
                    heap[a].time < heap[b].time || (heap[a].time == heap[b].time && heap[a].worker < heap[b].worker)
                }
                while true {
                    let l = 2 * i + 1, r = l + 1
                    var m = i
                    if l < heap.count && before(l, m) { m = l }
                    if r < heap.count && before(r, m) { m = r }
                    if m == i { break }
                    heap.swapAt(i, m)
                    i = m
                }
            }
            return top
        }
    }

    /// Runs the whole budget; `progress(done, budget)` after every finished trial.
    public func run(progress: ((Int, Int) -> Void)? = nil) throws -> Result {
        let coordinator = SweepCoordinator(spec: spec, store: store, run: run)
        try coordinator.prepare()
        var queue = EventQueue()
        // The trial on each worker, by worker number (1...workers): dense, no hashing per event.
        var current = [(task: TrialTask, curve: Curve, epoch: Int, best: Double)?](repeating: nil, count: max(workers, 1) + 1)
        var bestObserved: (value: Double, floor: Double)?
        var bestFloor = Double.infinity
        var regret: [(Double, Double)] = []
        var reports = 0, epochs = 0, done = 0, pending = 0, writes = 0
        let started = Date()
        var now = 0.0

        func assign(_ worker: Int, at time: Double) throws {
            guard let task = try coordinator.nextTask(for: worker) else { return }
            writes += 1
            let curve = Curve(task.configuration, seed: task.seed)
            bestFloor = min(bestFloor, curve.floor)
            current[worker] = (task, curve, 0, .infinity)
            queue.push((time + curve.epochSeconds, worker))
        }

        defer { coordinator.waitForWrites() }
        try coordinator.groupCommit { for w in 1...max(workers, 1) { try assign(w, at: 0) } }
        while true {
            let opened = Date()
            let more = try coordinator.groupCommit { () -> Bool in
                for n in 0..<batch {
                    if n % 64 == 63, Date().timeIntervalSince(opened) >= commitWindow { return true }
                    guard let event = queue.pop() else { return false }
                    now = event.time
                    guard var t = current[event.worker] else { continue }
                    t.epoch += 1
                    let v = t.curve.value(epoch: t.epoch)
                    t.best = min(t.best, v)
                    reports += 1
                    epochs += 1
                    let report = EpochRecord(trial: t.task.index, epoch: t.epoch, trainLoss: v, trainAccuracy: 0, validationLoss: v,
                                             validationAccuracy: 0, learningRate: 0, seconds: t.curve.epochSeconds)
                    let decision = try coordinator.epoch(report)
                    writes += 1
                    if decision == .continue && t.epoch < t.task.maxEpochs {
                        current[event.worker] = t
                        queue.push((now + t.curve.epochSeconds, event.worker))
                        continue
                    }
                    let state: TrialState = t.epoch < t.task.maxEpochs ? .pruned : .completed
                    try coordinator.finished(TrialResult(trial: t.task.index, state: state, epochs: t.epoch, bestEpoch: t.epoch, seconds: 0),
                                             checkpoint: [], validationProbabilities: [], testProbabilities: [])
                    writes += 1
                    done += 1
                    pending += 1
                    current[event.worker] = nil
                    // The sweep's pick is the trial with the best observed value; its regret is
                    // what full training of that configuration would reach, against the best floor.
                    if bestObserved.map({ t.best < $0.value }) ?? true {
                        bestObserved = (t.best, t.curve.floor)
                        regret.append((now, t.curve.floor - Curve.optimum))
                    }
                    try assign(event.worker, at: now)
                }
                return true
            }
            if pending >= 1000 { progress?(done, spec.budget.trials); pending = 0 }
            if !more { break }
        }
        try coordinator.flushWrites()
        progress?(done, spec.budget.trials)
        let final = (bestObserved?.floor ?? .nan) - Curve.optimum
        return Result(trials: done, reports: reports, wallSeconds: Date().timeIntervalSince(started), virtualSeconds: now,
                      epochsSpent: epochs, epochsFullBudget: spec.budget.trials * spec.budget.maxEpochs, finalRegret: final,
                      sampledRegret: bestFloor - Curve.optimum,
                      regretOverTime: regret, storeWrites: writes + coordinator.progressWrites)
    }
}
