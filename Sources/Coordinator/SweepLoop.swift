// The loops that drive a sweep: rank 0 over a communicator, each worker rank, and the size-1
// world where rank 0 trains the trials itself.
import Cluster
import Foundation
import Search
import Training

/// Rank 0: answers workers until the budget is spent, then shuts every worker down.
public struct CoordinatorLoop {
    public let coordinator: SweepCoordinator
    public let communicator: any Communicator
    /// Group commit: rank 0 keeps a transaction open while messages keep arriving, until the
    /// queue stays empty for `commitIdle` seconds, `commitLimit` messages or `commitWindow`
    /// seconds. At low rates every message commits at once; under load one commit covers
    /// thousands of epoch reports (each commit rewrites every page it touched, so batches are
    /// what lets rank 0 keep up with 10,000 workers). Decisions go out as each message is
    /// handled, never held for the commit, which a second thread writes (`groupCommit`); a crash
    /// loses the acknowledged epochs not yet committed (one window, or under load what the writer
    /// had not caught up with, about a second), and resume re-runs unfinished trials anyway.
    public var commitWindow = 0.05
    public var commitLimit = 4096
    public var commitIdle = 0.0001
    /// Sent to every worker in its welcome (a distillation sweep's student and teacher).
    public var payload: [UInt8] = []
    /// Seconds a rank holding a trial may go without an epoch report, state or result before
    /// rank 0 gives it up (a hung trainer): its trial is lost and runs again on another rank, and
    /// the rank gets no more work. Nil: wait for ever.
    public var workerTimeout: Double?
    /// Seconds a rank holding a trial may send nothing at all, not even a heartbeat, before rank
    /// 0 gives it up the same way (a lost host, a killed or stopped process). Only ranks that
    /// have sent a heartbeat are judged by it. Nil: never.
    public var heartbeatTimeout: Double?
    /// Asked between messages; true makes rank 0 stop at once (a signal): the trials in flight
    /// are recorded lost, to run again on resume.
    public var shouldStop: () -> Bool = { false }

    /// How a run ended.
    public struct Outcome: Sendable, Equatable {
        /// Ranks given up for silence; they may still be running (a hung process).
        public var unresponsive: [Int] = []
        /// True when `shouldStop` ended the run early.
        public var stopped = false
    }

    public init(coordinator: SweepCoordinator, communicator: any Communicator) {
        self.coordinator = coordinator
        self.communicator = communicator
    }

    /// State of one run of the loop.
    private struct Ranks {
        var active: Set<Int>
        var idle = Set<Int>()
        /// When each rank last said anything (or was given work).
        var lastHeard: [Int: Date] = [:]
        /// When each rank last reported progress (anything but a heartbeat), or was given work.
        var lastProgress: [Int: Date] = [:]
        /// Ranks that send heartbeats.
        var beating = Set<Int>()
        /// Each worker's host, from its hello.
        var hosts: [Int: String] = [:]

        /// "rank 3 on node07" (the host once its hello has come).
        func label(_ rank: Int) -> String { "rank \(rank)" + (hosts[rank].map { " on \($0)" } ?? "") }
        var unresponsive = Set<Int>()
        /// Process ids of the workers on rank 0's host (from their hello): a dead one is noticed
        /// at once, not after the timeout.
        var localPids: [Int: Int32] = [:]
        /// When the dead and silent ranks were last looked for (not per message: O(running)).
        var lastLivenessCheck = Date.distantPast
    }

    @discardableResult
    public func run() throws -> Outcome {
        do {
            let outcome = try loop()
            try coordinator.flushWrites()
            return outcome
        } catch {
            coordinator.waitForWrites()
            throw error
        }
    }

    private func loop() throws -> Outcome {
        var ranks = Ranks(active: Set(1..<communicator.size))
        while !ranks.active.isEmpty {
            // Writes left waiting by a busy writer go to it now, not at the next message.
            try coordinator.handOffWrites()
            if shouldStop() {
                for rank in Set(coordinator.running.values) {
                    var why = "the job was stopped while it ran (resume continues it)"
                    if let heard = ranks.lastHeard[rank], ranks.beating.contains(rank), Date().timeIntervalSince(heard) > 5 {
                        // mpirun ends the job when it loses a host's daemon: say which rank went quiet first.
                        why += String(format: "; %@ had sent nothing for %.0f s: its host may be down or unreachable",
                                      ranks.label(rank), Date().timeIntervalSince(heard))
                    }
                    try coordinator.lost(rank: rank, reason: why)
                }
                return Outcome(unresponsive: ranks.unresponsive.sorted(), stopped: true)
            }
            // Hand out work to idle workers; shut down those with nothing left to do.
            for rank in ranks.idle.sorted() {
                ranks.idle.remove(rank)
                try assignOrShutdown(rank, &ranks)
            }
            if Date().timeIntervalSince(ranks.lastLivenessCheck) >= 0.25 {
                ranks.lastLivenessCheck = Date()
                try giveUpDeadRanks(&ranks)
                try giveUpSilentRanks(&ranks)
                // A quiet spell after a burst of epochs must not leave their progress unwritten.
                try coordinator.writeProgressIfDue()
            }
            guard !ranks.active.isEmpty, let first = try communicator.receive(timeout: 0.5) else { continue }
            // Group commit (see `commitWindow`): one WAL append and one round of file locks
            // for a whole batch of events instead of one per event, its epoch rows written
            // together (`SweepCoordinator.groupCommit`).
            try coordinator.groupCommit {
                try handle(first.message, from: first.source, &ranks)
                let opened = Date()
                var handled = 1
                var emptySince: Date?
                while handled < commitLimit, !ranks.active.isEmpty, Date().timeIntervalSince(opened) < commitWindow {
                    if let (source, message) = try communicator.poll() {
                        try handle(message, from: source, &ranks)
                        handled += 1
                        emptySince = nil
                    } else {
                        let now = Date()
                        if let since = emptySince, now.timeIntervalSince(since) >= commitIdle { break }
                        if emptySince == nil { emptySince = now }
                        Thread.sleep(forTimeInterval: 20e-6)
                    }
                }
            }
            coordinator.removeSupersededFiles()
        }
        return Outcome(unresponsive: ranks.unresponsive.sorted())
    }

    /// Gives `rank` the next trial; with none left, shuts it down, unless a worker timeout is set
    /// and trials still run elsewhere (one may come back to the queue if its rank goes silent).
    private func assignOrShutdown(_ rank: Int, _ ranks: inout Ranks) throws {
        if let task = try coordinator.nextTask(for: rank) {
            try communicator.send(.assign(task, state: try coordinator.resumeState(for: task)), to: rank)
            let now = Date()
            ranks.lastHeard[rank] = now
            ranks.lastProgress[rank] = now
        } else if workerTimeout != nil || heartbeatTimeout != nil, !coordinator.running.isEmpty, coordinator.ending == nil {
            ranks.idle.insert(rank)
        } else {
            try communicator.send(.shutdown, to: rank)
            ranks.active.remove(rank)
        }
    }

    /// Gives up workers on this host whose process has exited (killed, crashed) — possible when
    /// mpirun keeps the job alive (`--enable-recovery`, as scripts/launch.sh passes): their trial
    /// is lost and queued again at once.
    private func giveUpDeadRanks(_ ranks: inout Ranks) throws {
        for (rank, pid) in ranks.localPids where ranks.active.contains(rank) {
            guard kill(pid, 0) != 0, errno == ESRCH else { continue }
            let trials = coordinator.running.filter { $0.value == rank }.map(\.key).sorted()
            let why = "rank \(rank) (pid \(pid)) exited" + (trials.isEmpty ? "" : " while it ran trial \(trials.map(String.init).joined(separator: ", "))")
            try coordinator.lost(rank: rank, reason: why, requeue: true)
            coordinator.onEvent?(.lost(rank: rank, reason: why))
            ranks.unresponsive.insert(rank)
            ranks.active.remove(rank)
            ranks.idle.remove(rank)
        }
    }

    /// Gives up ranks that hold a trial and sent no heartbeat for `heartbeatTimeout`, or no
    /// progress for `workerTimeout`: the trial is lost and queued again; idle ranks pick it up.
    private func giveUpSilentRanks(_ ranks: inout Ranks) throws {
        guard workerTimeout != nil || heartbeatTimeout != nil else { return }
        var drained = false
        for rank in Set(coordinator.running.values).sorted() where !ranks.unresponsive.contains(rank) {
            guard var why = silence(of: rank, ranks) else { continue }
            if !drained {
                // Rank 0 may itself have been busy (a large checkpoint to write): read what has
                // arrived before judging anyone.
                drained = true
                var count = 0
                while count < 100_000, let (source, message) = try communicator.poll() {
                    try handle(message, from: source, &ranks)
                    count += 1
                }
                coordinator.removeSupersededFiles()
                guard coordinator.running.values.contains(rank), let again = silence(of: rank, ranks) else { continue }
                why = again
            }
            try coordinator.lost(rank: rank, reason: why, requeue: true)
            coordinator.onEvent?(.lost(rank: rank, reason: why))
            ranks.unresponsive.insert(rank)
            ranks.active.remove(rank)
        }
    }

    /// Why `rank` counts as silent now, or nil when it does not.
    private func silence(of rank: Int, _ ranks: Ranks) -> String? {
        let now = Date()
        if let limit = heartbeatTimeout, ranks.beating.contains(rank), let heard = ranks.lastHeard[rank], now.timeIntervalSince(heard) > limit {
            return String(format: "%@ sent no heartbeat for %.0f s: its host is down or unreachable, or the process is stopped (heartbeat timeout)",
                          ranks.label(rank), now.timeIntervalSince(heard))
        }
        if let limit = workerTimeout, let heard = ranks.lastProgress[rank], now.timeIntervalSince(heard) > limit {
            return String(format: "%@ reported no progress for %.0f s (worker timeout)", ranks.label(rank), now.timeIntervalSince(heard))
        }
        return nil
    }

    private func handle(_ message: Message, from source: Int, _ ranks: inout Ranks) throws {
        let now = Date()
        ranks.lastHeard[source] = now
        if case .heartbeat = message {
            ranks.beating.insert(source)
            return
        }
        ranks.lastProgress[source] = now
        if ranks.unresponsive.contains(source) {
            // A rank given up for silence spoke after all: let it finish quietly; its trial runs elsewhere.
            switch message {
            case .epoch(let report): try communicator.send(.decision(trial: report.trial, proceed: false, reason: "given up"), to: source)
            case .finished, .hello: try communicator.send(.shutdown, to: source)
            default: break
            }
            return
        }
        switch message {
        case .hello(let host, let pid):
            if host == ProcessInfo.processInfo.hostName, pid != getpid() { ranks.localPids[source] = pid }
            ranks.hosts[source] = host
            coordinator.onEvent?(.joined(rank: source, host: host, pid: Int(pid)))
            try communicator.send(.welcome(file: coordinator.spec.file, text: coordinator.spec.text,
                                           host: ProcessInfo.processInfo.hostName, payload: payload), to: source)
            ranks.idle.insert(source)
        case .epoch(let report):
            switch try coordinator.epoch(report) {
            case .continue: try communicator.send(.decision(trial: report.trial, proceed: true, reason: nil), to: source)
            case .stop(let reason): try communicator.send(.decision(trial: report.trial, proceed: false, reason: reason), to: source)
            }
        case .finished(let result, let checkpoint, let validation, let test):
            try coordinator.finished(result, checkpoint: checkpoint, validationProbabilities: validation, testProbabilities: test)
            // Hand out the next trial at once, inside the batch.
            if let task = try coordinator.nextTask(for: source) {
                try communicator.send(.assign(task, state: try coordinator.resumeState(for: task)), to: source)
            } else {
                ranks.idle.insert(source)
            }
        case .epochState(let trial, let epoch, let state):
            try coordinator.epochState(trial: trial, epoch: epoch, state: state)
        case .health(let health):
            try coordinator.health(health)
        case .fatal(let why):
            try coordinator.lost(rank: source, reason: "rank \(source) cannot work: \(why)")
            coordinator.onEvent?(.lost(rank: source, reason: why))
            ranks.active.remove(source)
        default:
            throw CoordinatorError("rank 0 got an unexpected message from rank \(source): \(message)")
        }
    }
}

/// A worker rank: says hello, loads the sweep and its data once, then trains what it is given.
public struct WorkerLoop {
    public let communicator: any Communicator
    /// Makes the executor for the sweep rank 0 sends and the welcome's payload (the trainer on
    /// the sweep's data by default, a student's trainer with a distillation payload; tests and the
    /// coordinator benchmark substitute their own).
    public var makeExecutor: (SweepSpec, [UInt8]) throws -> any TrialExecutor = { spec, payload in
        spec.program != nil ? try ProgramExecutor.make(spec: spec, payload: payload) : try TrialRunner.make(spec: spec, payload: payload)
    }

    /// Seconds of training between two epoch states sent to rank 0 (each is the model and the
    /// optimizer's moments: ~8 MB for a 670k-parameter MLP). A crash loses at most this much
    /// of an in-flight trial; `HPSEARCH_STATE_INTERVAL` overrides it (0: after every epoch).
    public var stateInterval = WorkerLoop.defaultStateInterval

    public static var defaultStateInterval: Double {
        Double(ProcessInfo.processInfo.environment["HPSEARCH_STATE_INTERVAL"] ?? "").flatMap { $0 >= 0 ? $0 : nil } ?? 10
    }

    /// Called with rank 0's host name before any training (sets this rank's BLAS threads).
    public var configureThreads: (_ coordinatorHost: String) -> Void = { _ in }

    /// Seconds between two heartbeats to rank 0 (nil: none); `HPSEARCH_HEARTBEAT_INTERVAL`
    /// overrides the default of 2 s (0: none).
    public var heartbeatInterval: Double? = WorkerLoop.defaultHeartbeatInterval

    public static var defaultHeartbeatInterval: Double? {
        let v = Double(ProcessInfo.processInfo.environment["HPSEARCH_HEARTBEAT_INTERVAL"] ?? "") ?? 2
        return v > 0 ? v : nil
    }

    public init(communicator: any Communicator) { self.communicator = communicator }

    public func run() throws {
        try communicator.send(.hello(host: ProcessInfo.processInfo.hostName, pid: getpid()), to: 0)
        var heartbeat: HeartbeatSender?
        if let heartbeatInterval, communicator.allowsConcurrentSend {
            heartbeat = HeartbeatSender(communicator: communicator, interval: heartbeatInterval)
            heartbeat?.start()
        }
        defer { heartbeat?.stop() }
        var runner: (any TrialExecutor)?
        while true {
            guard let (_, message) = try communicator.receive() else { continue }
            switch message {
            case .welcome(let file, let text, let host, let payload):
                configureThreads(host)
                do {
                    let spec = try SweepSpec.parse(yaml: text, file: file, vocabulary: TrainingConfig.vocabulary)
                    runner = try makeExecutor(spec, payload)
                } catch {
                    try communicator.send(.fatal("\(error)"), to: 0)
                    return
                }
            case .assign(let task, let state):
                guard let runner else { throw CoordinatorError("assigned a trial before the sweep arrived") }
                var decisionError: Error?
                var shutDown = false
                var lastSaved = Date()
                let save: (Int, [UInt8]) -> Void = { epoch, bytes in
                    // After the last epoch the trial is about to finish: nothing to resume.
                    guard epoch < task.maxEpochs, Date().timeIntervalSince(lastSaved) >= stateInterval else { return }
                    lastSaved = Date()
                    do { try communicator.send(.epochState(trial: task.index, epoch: epoch, state: bytes), to: 0) } catch { decisionError = error }
                }
                let observe: (EpochHealth) -> Void = { health in
                    guard decisionError == nil else { return }
                    do { try communicator.send(.health(health), to: 0) } catch { decisionError = error }
                }
                let out = runner.run(task, resumeState: state, saveState: save, observe: observe) { report in
                    do {
                        try communicator.send(.epoch(report), to: 0)
                        while true {
                            guard let (_, reply) = try communicator.receive() else { continue }
                            if case .decision(let trial, let proceed, let reason) = reply, trial == task.index { return proceed ? .continue : .stop(reason: reason ?? "rank 0 said stop") }
                            if case .shutdown = reply { shutDown = true; return .stop(reason: "rank 0 shut the worker down") }
                        }
                    } catch {
                        decisionError = error
                        return .stop(reason: "\(error)")
                    }
                }
                if let decisionError { throw decisionError }
                // Rank 0 has stopped (a signal): nobody waits for this result.
                if shutDown { return }
                try communicator.send(.finished(out.result, checkpoint: out.checkpoint, validationProbabilities: out.validationProbabilities,
                                                testProbabilities: out.testProbabilities), to: 0)
            case .shutdown:
                return
            default:
                throw CoordinatorError("worker \(communicator.rank) got an unexpected message: \(message)")
            }
        }
    }
}

/// The size-1 world: rank 0 samples, trains and decides in one process.
public struct LocalLoop {
    public let coordinator: SweepCoordinator
    public let runner: any TrialExecutor
    /// Asked after every epoch; true stops the sweep: the trial in flight is recorded lost (to
    /// run again on resume) and `run` returns false.
    public var shouldStop: () -> Bool = { false }

    public init(coordinator: SweepCoordinator, runner: any TrialExecutor) {
        self.coordinator = coordinator
        self.runner = runner
    }

    /// Runs every trial; false when `shouldStop` ended it early.
    @discardableResult
    public func run() throws -> Bool {
        // One trial at a time: writing its row with every epoch costs nothing here, and `status`
        // then shows each epoch as it ends.
        coordinator.progressWriteInterval = 0
        while let task = try coordinator.nextTask(for: 0) {
            var failure: Error?
            var lastSaved = Date()
            let save: (Int, [UInt8]) -> Void = { epoch, bytes in
                guard epoch < task.maxEpochs, Date().timeIntervalSince(lastSaved) >= WorkerLoop.defaultStateInterval else { return }
                lastSaved = Date()
                do {
                    try coordinator.store.transaction { try coordinator.epochState(trial: task.index, epoch: epoch, state: bytes) }
                    coordinator.removeSupersededFiles()
                } catch { failure = error }
            }
            var stopped = false
            let observe: (EpochHealth) -> Void = { health in
                guard failure == nil else { return }
                do { try coordinator.health(health) } catch { failure = error }
            }
            let out = runner.run(task, resumeState: try coordinator.resumeState(for: task), saveState: save, observe: observe) { report in
                do {
                    let decision = try coordinator.epoch(report)
                    if decision.isStop { return decision }
                    if shouldStop() { stopped = true; return .stop(reason: "the job was stopped") }
                    return .continue
                } catch {
                    failure = error
                    return .stop(reason: "\(error)")
                }
            }
            if let failure { throw failure }
            if stopped || shouldStop() {
                try coordinator.lost(rank: 0, reason: "the job was stopped while it ran (resume continues it)")
                return false
            }
            try coordinator.finished(out.result, checkpoint: out.checkpoint, validationProbabilities: out.validationProbabilities,
                                     testProbabilities: out.testProbabilities)
            coordinator.removeSupersededFiles()
        }
        return true
    }
}
