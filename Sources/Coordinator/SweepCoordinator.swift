// SweepCoordinator: rank 0's decisions, independent of how messages travel. It hands out trial
// indices 0..<budget.trials exactly once each (plus re-runs of lost trials), records every
// epoch, asks the stopper, and stores each finished trial's artifacts under the run directory.
// The MPI loop and the size-1 loop both drive it.
import Cluster
import Ensembles
import Foundation
import Search
import Storage

public final class SweepCoordinator {
    public let spec: SweepSpec
    /// The store given to `init`, wrapped so that group commits are written behind: use this one
    /// (not the store given) while the coordinator's loop runs.
    public var store: any Store { writer }
    public let run: RunDirectory
    private var sampler: any Sampler
    private var stopper: any Stopper
    /// Indices to run before sampling new ones (resumed trials), in order.
    private var requeued: [Int] = []
    /// Resumed trials that continue from a saved epoch state: index → that epoch.
    private var resumeEpochs: [Int: Int] = [:]
    private var nextIndex = 0
    /// Trials on workers: index → rank.
    public private(set) var running: [Int: Int] = [:]
    private var records = TrialTable()
    /// Trials that may have an epoch-state artifact in the store (read on `prepare`, added by
    /// `epochState`): `finished` looks for one to delete only for these, not with a query per trial.
    private var mayHaveEpochState = Set<Int>()
    /// Called after each event (progress display, logs).
    public var onEvent: ((SweepEvent) -> Void)?
    /// Epochs recorded by this coordinator (not those read back on resume).
    private var epochsRecorded = 0
    /// Seconds between two writes of running trials' progress (epochs, best so far) to their
    /// rows, by `epoch` and by `writeProgressIfDue` (the MPI loop calls it every 0.25 s); every
    /// epoch row is written at once. A trial's row is also written when it starts, finishes or
    /// is lost, and resume recomputes progress from the epoch rows, so a crash loses nothing;
    /// readers (`status`) see a running trial's progress at most about this late. At 10,000
    /// workers, rewriting every trial row on every epoch was most of rank 0's store time.
    public var progressWriteInterval = 5.0
    /// Running trials whose progress is newer in memory than in their row.
    private var unwrittenProgress = Set<Int>()
    private var lastProgressWrite = Date()
    /// Files the store stops referencing when the open transaction commits (a trial's previous
    /// epoch state). They are removed by `removeSupersededFiles`, which the loops call after each
    /// commit: removed before it, a crash would leave the committed store pointing at a file that
    /// is gone, and the trial would start again from epoch 1.
    private var superseded: [String] = []

    /// Removes the files of `superseded`; call after the `groupCommit` (or transaction) whose
    /// writes replaced them. It waits for that commit (written behind, see `groupCommit`) and
    /// removes nothing when the commit failed: the store still points at those files.
    public func removeSupersededFiles() {
        guard !superseded.isEmpty, (try? writer.flush()) != nil else { return }
        for path in superseded { run.remove(path) }
        superseded.removeAll()
    }

    /// The store's writes go through this: `groupCommit`'s are committed on a second thread.
    private let writer: WriteBehindStore

    /// Waits until every write is committed; throws the error of one that failed. The loops
    /// call it before they return (and `waitForWrites` when they throw), so the store is
    /// complete, and used by no other thread, once a loop is over.
    public func flushWrites() throws { try writer.flush() }

    /// Hands writes that wait for the busy writer thread to it once it is free, without
    /// waiting (`WriteBehindStore.handOff`); the MPI loop calls it between messages.
    public func handOffWrites() throws { try writer.handOff() }

    /// `flushWrites` for a path that is already throwing: waits, and leaves any error to the
    /// next use of the store.
    public func waitForWrites() { _ = try? writer.flush() }

    /// Epoch rows recorded inside an open `groupCommit`, written when it ends.
    private var pendingEpochs: [EpochRecord] = []
    /// Open `groupCommit` calls (0 outside any).
    private var groupDepth = 0

    /// Runs `body` as one store transaction (the loops' group commit) in which the epoch rows that
    /// `epoch` records are held and written together when `body` returns, before the commit, with
    /// `Store.appendEpochs` (a multi-row statement per 32 rows instead of one statement each).
    /// The transaction is written behind (`WriteBehindStore.batch`): `groupCommit` returns once
    /// its writes are recorded, and a second thread commits them while the caller handles the
    /// next messages; the next group, read or `flushWrites` waits for it, and throws its error if
    /// it failed. The store ends up exactly as if each write had been made at once: nothing reads
    /// the epoch rows in between (`nextTask` writes the held ones before it reads a resumed
    /// trial's), and readers in other processes see only committed transactions anyway. When
    /// `body` throws, what it recorded since its last read of the store is dropped, held rows
    /// included, and the error goes on. A nested call is a nested transaction: it writes its rows
    /// when it ends; if it throws, only they are dropped.
    public func groupCommit<T>(_ body: () throws -> T) throws -> T {
        try writer.batch {
            let mark = pendingEpochs.count
            groupDepth += 1
            defer { groupDepth -= 1 }
            do {
                let value = try body()
                try writePendingEpochs()
                return value
            } catch {
                if pendingEpochs.count > mark { pendingEpochs.removeSubrange(mark...) }
                throw error
            }
        }
    }

    /// Writes the epoch rows held by an open `groupCommit`.
    private func writePendingEpochs() throws {
        guard !pendingEpochs.isEmpty else { return }
        try store.appendEpochs(pendingEpochs)
        pendingEpochs.removeAll(keepingCapacity: true)
    }

    /// Why the sweep ends before its trial budget is spent — "time budget 2h spent", "stop_when
    /// val_accuracy ≥ 0.92 reached by trial 7" — nil while it goes on. Once set, no trial starts
    /// and each running one is told to stop after its current epoch (recorded `stopped`). Kept in
    /// the store (`ended` in the sweep's environment), so a later `resume` does not start new
    /// trials; `resume --trials/--time` clears it.
    public private(set) var ending: String?
    /// Running trials told to stop by a budget (the sweep's or their own `trial_time`), with why.
    private var budgetStops: [Int: String] = [:]
    /// When each running trial began training in this job; a resumed trial's start is moved back
    /// by the seconds of the epochs it keeps, so `trial_time` counts them.
    private var trialStarted: [Int: Date] = [:]
    /// Seconds the sweep ran in earlier jobs (the stored `seconds_spent`).
    private var secondsBefore = 0.0
    /// When this job's coordinator was made.
    private let jobStarted = Date()
    /// The stored sweep record, to which the clock and `ending` are written (nil: none stored).
    private var sweepRecord: SweepRecord?

    /// Seconds of the sweep's time budget spent: earlier jobs' and this one's so far.
    public var secondsSpent: Double { secondsBefore + Date().timeIntervalSince(jobStarted) }

    /// Keys of the sweep record's environment that the coordinator keeps.
    public static let secondsSpentKey = "seconds_spent", endedKey = "ended"

    /// Writes the time spent (and `ending`) to the sweep record. The loops call it through
    /// `writeProgressIfDue` and once at the end; a job killed without warning loses at most the
    /// seconds since the last write from its count.
    public func saveClock() throws {
        guard var record = sweepRecord else { return }
        record.environment[Self.secondsSpentKey] = String(secondsSpent)
        record.environment[Self.endedKey] = ending
        try store.setSweep(record)
        sweepRecord = record
    }

    /// Ends the sweep early (see `ending`); the first reason stands.
    private func end(_ reason: String) throws {
        guard ending == nil else { return }
        ending = reason
        try saveClock()
        onEvent?(.ending(reason: reason))
    }

    /// Ends the sweep when its time budget is spent.
    private func checkTimeBudget() throws {
        guard ending == nil, let limit = spec.budget.time, secondsSpent >= limit else { return }
        try end("time budget \(Budget.format(seconds: limit)) spent")
    }

    /// Trial rows written by `writeProgressIfDue` (for the simulation's count of store writes).
    public private(set) var progressWrites = 0

    /// `sampler` replaces the one the spec names (the distillation sweep's control-first one).
    public init(spec: SweepSpec, store: any Store, run: RunDirectory, sampler: (any Sampler)? = nil) {
        self.spec = spec
        writer = WriteBehindStore(store)
        self.run = run
        self.sampler = sampler ?? makeSampler(for: spec)
        // Per-trial patience runs inside the trainer (so a trial ends `early_stopped` on its own
        // worker); the coordinator's stopper is the cross-trial scheduler only.
        stopper = makeStopper(for: spec)
    }

    /// Reads what the store already holds (resume): finished trials are kept; trials that were
    /// running or lost are queued again, from the last epoch state rank 0 received for them (if
    /// its file matches the store's checksum), else from their first epoch; the stopper relearns
    /// every recorded epoch that stands, so its rungs and medians are as they were.
    public func prepare() throws {
        sweepRecord = try store.sweep()
        if let env = sweepRecord?.environment {
            secondsBefore = env[Self.secondsSpentKey].flatMap(Double.init) ?? 0
            ending = env[Self.endedKey]
        }
        try checkTimeBudget()
        let existing = try store.trials()
        for t in existing { records[t.index] = t }
        for t in existing where !t.state.isFinished {
            let state = try store.artifacts(trial: t.index).first(where: { $0.kind == Self.epochStateKind })
            if state != nil { mayHaveEpochState.insert(t.index) }
            if let state, let bytes = try? run.read(state.path), RunDirectory.checksum(bytes) == state.checksum, let epoch = Self.epoch(ofStatePath: state.path) {
                resumeEpochs[t.index] = epoch
            }
        }
        let epochs = try store.allEpochs()
        for e in epochs {
            guard let record = records[e.trial] else { continue }
            let stands = record.state.isFinished || e.epoch <= resumeEpochs[e.trial, default: 0]
            if stands {
                _ = stopper.report(trial: e.trial, epoch: e.epoch, value: e.value(of: spec.metric))
            }
        }
        // The trials that ended are over for the stopper too (repeats' means count them as ended).
        for t in existing.sorted(by: { $0.index < $1.index }) where t.state.isFinished { stopper.finished(trial: t.index, epochs: t.epochs) }
        requeued = existing.filter { !$0.state.isFinished }.map(\.index).sorted()
        nextIndex = (existing.map(\.index).max() ?? -1) + 1
    }

    static let epochStateKind = "epoch_state"

    /// "trials/00003/epoch-5.state" → 5.
    static func epoch(ofStatePath path: String) -> Int? {
        let name = (path as NSString).lastPathComponent
        guard name.hasPrefix("epoch-"), name.hasSuffix(".state") else { return nil }
        return Int(name.dropFirst(6).dropLast(6))
    }

    /// The trainer state a resumed trial continues from (empty: start from epoch 1).
    public func resumeState(for task: TrialTask) throws -> [UInt8] {
        guard resumeEpochs[task.index] != nil,
              let artifact = try store.artifacts(trial: task.index).first(where: { $0.kind == Self.epochStateKind }) else { return [] }
        return try run.read(artifact.path)
    }

    /// Keeps the trainer state a worker sent after `epoch`, replacing the previous one.
    public func epochState(trial: Int, epoch: Int, state: [UInt8]) throws {
        guard running[trial] != nil, !state.isEmpty else { return }
        let folder = RunDirectory.trialFolder(trial)
        let previous = try store.artifacts(trial: trial).first { $0.kind == Self.epochStateKind }
        let path = folder + "/epoch-\(epoch).state"
        let sum = try run.write(state, to: path)
        try store.putArtifact(ArtifactRecord(trial: trial, kind: Self.epochStateKind, path: path, bytes: state.count, checksum: sum))
        mayHaveEpochState.insert(trial)
        if let previous, previous.path != path { superseded.append(previous.path) }
    }

    /// True when every trial of the budget has finished (none running, pending or lost), or when
    /// the sweep ended early (`ending`) and none runs.
    public var isComplete: Bool {
        running.isEmpty && (ending != nil
            || (requeued.isEmpty && nextIndex >= spec.budget.trials && records.values.allSatisfy(\.state.isFinished)))
    }


    /// The next trial for `rank`, recorded as running; nil when the budget is spent.
    public func nextTask(for rank: Int) throws -> TrialTask? {
        try checkTimeBudget()
        guard ending == nil else { return nil }
        let index: Int
        if !requeued.isEmpty {
            index = requeued.removeFirst()
        } else if nextIndex < spec.budget.trials {
            index = nextIndex
            nextIndex += 1
        } else {
            return nil
        }
        let a = try sampler.assignment(index)
        var record = records[index] ?? TrialRecord(index: index, configuration: a.configuration, seed: a.seed)
        record.configuration = a.configuration
        record.seed = a.seed
        record.state = .running
        record.rank = rank
        record.message = nil
        record.finishedAt = nil
        record.epochs = 0
        record.bestEpoch = nil
        record.bestValue = nil
        record.bestValidationLoss = nil
        record.bestValidationAccuracy = nil
        if let k = resumeEpochs[index], k > 0 {
            // Continues after epoch k: the best so far is that of the epochs that stand.
            try writePendingEpochs()
            var kept = 0.0
            for e in try store.epochs(trial: index) where e.epoch <= k {
                record.consider(e, metric: spec.metric)
                kept += e.seconds
            }
            trialStarted[index] = Date(timeIntervalSinceNow: -kept)
        } else {
            record.startedAt = Date()
            trialStarted[index] = Date()
        }
        try store.upsertTrial(record)
        records[index] = record
        running[index] = rank
        onEvent?(.assigned(trial: index, rank: rank, configuration: a.configuration, resumedAfter: resumeEpochs[index]))
        return TrialTask(index: index, configuration: a.configuration, seed: a.seed, maxEpochs: stopper.maxEpochs(trial: index))
    }

    /// Records an epoch and decides whether the trial goes on.
    public func epoch(_ r: EpochRecord) throws -> StopDecision {
        guard var record = records[r.trial], running[r.trial] != nil else {
            throw CoordinatorError("epoch report for trial \(r.trial), which is not running")
        }
        record.consider(r, metric: spec.metric)
        if groupDepth > 0 { pendingEpochs.append(r) } else { try store.appendEpoch(r) }
        records[r.trial] = record
        unwrittenProgress.insert(r.trial)
        try writeProgressIfDue()
        epochsRecorded += 1
        onEvent?(.epoch(trial: r.trial, epoch: r.epoch, value: r.value(of: spec.metric)))
        var decision = stopper.report(trial: r.trial, epoch: r.epoch, value: r.value(of: spec.metric))
        if ending == nil, let target = spec.stopWhen.first(where: { $0.isReached(by: r) }) {
            try end("stop_when \(target.description) reached by trial \(r.trial) at epoch \(r.epoch)")
        }
        try checkTimeBudget()
        if case .stop(let reason) = decision {
            records[r.trial]?.message = reason
        } else if r.epoch < stopper.maxEpochs(trial: r.trial) {
            // A budget ends the trial after this epoch (its last one ends it anyway).
            var why = ending
            if why == nil, let limit = spec.budget.trialTime, let started = trialStarted[r.trial], Date().timeIntervalSince(started) >= limit {
                why = "trial_time \(Budget.format(seconds: limit)) used"
            }
            if let why {
                budgetStops[r.trial] = why
                decision = .stop(reason: "stopped: " + why)
            }
        }
        return decision
    }

    /// Records a running trial's health at one epoch (a late report for a trial no longer
    /// running is dropped: it was lost or given up and runs again).
    public func health(_ h: EpochHealth) throws {
        guard running[h.trial] != nil else { return }
        try store.appendHealth(h)
    }

    /// Writes the rows of running trials whose progress changed since their last write, when
    /// `progressWriteInterval` has passed since the last time.
    public func writeProgressIfDue() throws {
        guard Date().timeIntervalSince(lastProgressWrite) >= progressWriteInterval else { return }
        lastProgressWrite = Date()
        try saveClock()
        guard !unwrittenProgress.isEmpty else { return }
        try store.transaction {
            for index in unwrittenProgress.sorted() where running[index] != nil {
                if let record = records[index] {
                    try store.upsertTrial(record)
                    progressWrites += 1
                }
            }
        }
        unwrittenProgress.removeAll(keepingCapacity: true)
    }

    /// Stores a finished trial: its state and message, and its artifacts under `trials/NNNNN/`.
    public func finished(_ result: TrialResult, checkpoint: [UInt8], validationProbabilities: [UInt8], testProbabilities: [UInt8]) throws {
        guard var record = records[result.trial] else { throw CoordinatorError("result for unknown trial \(result.trial)") }
        var artifacts: [ArtifactRecord] = []
        var checkpoint = checkpoint
        if spec.program != nil, FileBundle.isBundle(checkpoint) {
            // A program trial's files (its logs, label files), each under trials/NNNNN/.
            for f in try FileBundle(decoding: checkpoint, source: "trial \(result.trial)'s files").files {
                let path = RunDirectory.trialFolder(result.trial) + "/" + f.name
                let sum = try run.write(f.bytes, to: path)
                // train.f32: the training split's predictions, a distillation teacher's (as built-in trials cache them).
                let kind = f.name == "train.f32" ? "train_predictions" : ProgramData.kind(f.name)
                artifacts.append(ArtifactRecord(trial: result.trial, kind: kind, path: path, bytes: f.bytes.count, checksum: sum))
            }
            checkpoint = []
        }
        for (kind, file, bytes) in [("checkpoint", "model.ckpt", checkpoint), ("validation_predictions", "validation.f32", validationProbabilities),
                                    ("test_predictions", "test.f32", testProbabilities)] where !bytes.isEmpty {
            let path = RunDirectory.trialFolder(result.trial) + "/" + file
            let sum = try run.write(bytes, to: path)
            artifacts.append(ArtifactRecord(trial: result.trial, kind: kind, path: path, bytes: bytes.count, checksum: sum))
        }
        record.state = result.state.isFinished ? result.state : .failed
        if let why = budgetStops.removeValue(forKey: result.trial), record.state == .pruned {
            // Told to stop by a budget, not by the stopper.
            record.state = .stopped
            record.message = why
        } else if record.state != .pruned {
            // A pruned trial keeps the stopper's reason; others carry the worker's message, if any.
            record.message = result.message
        }
        trialStarted[result.trial] = nil
        record.epochs = result.epochs
        record.finishedAt = Date()
        let stale = mayHaveEpochState.contains(result.trial)
            ? try store.artifacts(trial: result.trial).first { $0.kind == Self.epochStateKind } : nil
        var configuration: ConfigurationRecord?
        if spec.repeats > 1 {
            // repeats: the configuration's mean and spread over its finished repeats, rewritten as each ends.
            let g = spec.configurationIndex(ofTrial: result.trial)
            let members = (g * spec.repeats..<(g + 1) * spec.repeats).compactMap { $0 == result.trial ? record : records[$0] }
            configuration = .of(index: g, values: members.filter { $0.state.isFinished && $0.state.hasModel }.compactMap(\.bestValue))
        }
        if artifacts.isEmpty && stale == nil && configuration == nil {
            // One write, atomic by itself: no savepoint (most trials of a large sweep end here).
            try store.upsertTrial(record)
        } else {
            try store.transaction {
                for a in artifacts { try store.putArtifact(a) }
                try store.upsertTrial(record)
                if let configuration { try store.putConfiguration(configuration) }
                if stale != nil { try store.deleteArtifact(trial: result.trial, kind: Self.epochStateKind) }
            }
        }
        mayHaveEpochState.remove(result.trial)
        if let stale { superseded.append(stale.path) }
        resumeEpochs[result.trial] = nil
        records[result.trial] = record
        running[result.trial] = nil
        unwrittenProgress.remove(result.trial)
        stopper.finished(trial: result.trial, epochs: result.epochs)
        onEvent?(.finished(trial: result.trial, state: record.state, epochs: result.epochs, bestValue: record.bestValue,
                           bestEpoch: record.bestEpoch, message: record.message, metric: spec.metric.name))
    }

    /// The trial on `rank` is lost (its worker died or went silent): it will run again on
    /// resume, or, with `requeue`, in this session on another rank (from its last epoch state when
    /// rank 0 holds an intact one, else from epoch 1 with the same seed). Returns the trials.
    @discardableResult
    public func lost(rank: Int, reason: String, requeue: Bool = false) throws -> [Int] {
        var lost: [Int] = []
        for (index, r) in running where r == rank {
            guard var record = records[index] else { continue }
            record.state = .lost
            record.message = reason
            try store.upsertTrial(record)
            records[index] = record
            running[index] = nil
            unwrittenProgress.remove(index)
            budgetStops[index] = nil
            trialStarted[index] = nil
            lost.append(index)
            onEvent?(.trialLost(trial: index, rank: rank, reason: reason))
            guard requeue else { continue }
            resumeEpochs[index] = nil
            if let state = try store.artifacts(trial: index).first(where: { $0.kind == Self.epochStateKind }),
               let bytes = try? run.read(state.path), RunDirectory.checksum(bytes) == state.checksum, let epoch = Self.epoch(ofStatePath: state.path) {
                resumeEpochs[index] = epoch
            }
            requeued.append(index)
        }
        requeued.sort()
        return lost.sorted()
    }

    /// Trials by index.
    public var trials: [TrialRecord] { records.values }

    /// Counts by state, the best trial so far and the epochs recorded: O(trials).
    public var progress: SweepProgress {
        var finished: [TrialState: Int] = [:]
        var best: (trial: Int, value: Double)?
        for r in records.values {
            if r.state.isFinished { finished[r.state, default: 0] += 1 }
            if let v = r.bestValue, r.state.hasModel || r.state == .running,
               best.map({ spec.metric.isBetter(v, than: $0.value) || (v == $0.value && r.index < $0.trial) }) ?? true {
                best = (r.index, v)
            }
        }
        var p = SweepProgress(budget: spec.budget.trials, finished: finished, running: running.count, best: best, epochs: epochsRecorded)
        p.hasTrialLimit = spec.budget.hasTrialLimit
        p.timeLeft = spec.budget.time.map { max(0, $0 - secondsSpent) }
        return p
    }
}

extension TrialRecord {
    /// Counts `e` as the trial's latest epoch and keeps it as the best when it is.
    mutating func consider(_ e: EpochRecord, metric: MetricSpec) {
        epochs = e.epoch
        let v = e.value(of: metric)
        guard bestValue.map({ metric.isBetter(v, than: $0) }) ?? true else { return }
        bestValue = v
        bestEpoch = e.epoch
        bestValidationLoss = e.validationLoss
        bestValidationAccuracy = e.validationAccuracy
    }
}
