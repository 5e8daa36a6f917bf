// Trainer+State: a run's resumable state (see TrainingState.swift): taking it from the live model
// and optimizer, checking and restoring it, and the fingerprints that say which run it belongs to.
import NN
import Search
import TensorCore

extension Trainer {
    /// The state of `run` at the end of `position.epoch`, taken from the live model and optimizer.
    func state(of run: Run, at position: RunProgress) -> TrainingState {
        let best = position.best
        // The best snapshot is the current weights when the last epoch was the best: not stored twice.
        let snapshotIsCurrent = best?.metrics.epoch == position.epoch
        return TrainingState(epoch: position.epoch, step: position.step, initialLoss: position.initialLoss,
                             learningRate: run.optimizer.learningRate, history: position.history, best: best?.metrics,
                             sinceImprovement: position.patience?.sinceImprovement ?? 0, seconds: position.seconds, seed: seed,
                             architecture: architectureFingerprint(), configuration: configurationFingerprint(),
                             settings: settingsFingerprint(batches: run.batches),
                             model: Checkpoint(layer: model).entries + model.randomStateEntries(),
                             bestSnapshot: snapshotIsCurrent ? nil : best?.snapshot.entries,
                             optimizer: run.optimizer.stateEntries(for: run.parameters))
    }

    /// Checks that `state` belongs to this run, then loads it into the model and `run`'s fresh
    /// optimizer. Everything is checked before the model changes.
    func restore(_ state: TrainingState, into run: Run, source: String) throws -> RunProgress {
        func same(_ field: String, saved: [String], current: [String]) throws {
            guard saved != current else { return }
            for i in 0..<max(saved.count, current.count) {
                let s = i < saved.count ? saved[i] : "(nothing)", c = i < current.count ? current[i] : "(nothing)"
                if s != c { throw CheckpointError.incompatibleState(path: source, field: field, expected: c, found: s) }
            }
        }
        guard state.seed == seed else {
            throw CheckpointError.incompatibleState(path: source, field: "seed", expected: "\(seed)", found: "\(state.seed)")
        }
        try same("architecture", saved: state.architecture, current: architectureFingerprint())
        try same("configuration", saved: state.configuration, current: configurationFingerprint())
        try same("settings", saved: state.settings, current: settingsFingerprint(batches: run.batches))
        guard state.epoch <= max(maxEpochs, 1) else {
            throw CheckpointError.invalidMetadata(path: source, key: "epoch", reason: "epoch \(state.epoch) is past the budget of \(maxEpochs) epochs")
        }
        let current = Checkpoint(entries: state.model.filter { !$0.name.hasPrefix("rng:") })
        let streams = state.model.filter { $0.name.hasPrefix("rng:") }
        try current.check(against: model, source: source)
        // Records read back carry this trainer's trial index.
        func own(_ r: EpochRecord) -> EpochRecord { var r = r; r.trial = trial; return r }
        var best: (metrics: EpochRecord, snapshot: Checkpoint)?
        if let metrics = state.best.map(own), let snapshot = state.bestWeights {
            try snapshot.check(against: model, source: source)
            best = (metrics, snapshot)
        }
        // The optimizer is this run's own (fresh), so restoring it first changes nothing shared.
        try run.optimizer.restoreState(state.optimizer, for: run.parameters)
        run.optimizer.learningRate = state.learningRate
        try model.restoreRandomStates(streams, source: source)   // all or nothing
        try current.restore(into: model, source: source)         // checked above: cannot fail
        // The patience record: the best epoch's value, the saved counter, the state's epoch.
        let patience = state.best.map {
            PatienceStopper.Record(best: $0.value(of: metric), bestEpoch: $0.epoch, sinceImprovement: state.sinceImprovement, lastEpoch: state.epoch)
        }
        return RunProgress(epoch: state.epoch, history: state.history.map(own), best: best, patience: patience,
                           initialLoss: state.initialLoss, step: state.step, seconds: state.seconds)
    }

    /// Parameter, buffer and random-stream names with shapes, in the model's order.
    func architectureFingerprint() -> [String] {
        model.namedParameters.map { "\($0.0) \($0.1.shape)" } + model.namedBuffers.map { "buffer:\($0.0) \($0.1.shape)" }
            + model.namedRandomStreams.map { "rng:\($0.0)" }
    }

    /// Every TrainingConfig field as "name = value" (`TrainingConfig.fingerprint`: the lines of
    /// format 1, so states saved before the model registry still resume).
    func configurationFingerprint() -> [String] { config.fingerprint }

    /// The trainer's settings and the data's sizes: what else decides the epochs.
    func settingsFingerprint(batches: Int) -> [String] {
        ["maxEpochs = \(maxEpochs)", "patience = \(patience.map(String.init) ?? "none")", "minDelta = \(minDelta)",
         "metric = \(metric.name) (\(metric.goal.rawValue))", "maxBatchesPerEpoch = \(maxBatchesPerEpoch)",
         "divergenceFactor = \(divergenceFactor)", "batchesPerEpoch = \(batches)",
         data.isRegression ? "train = \(data.train.count) × \(data.featureCount) features, \(data.outputCount) targets, loss \(config.loss.resolved(regression: true).rawValue)"
             : "train = \(data.train.count) × \(data.featureCount) features, \(data.classCount) classes",
         "validation = \(data.validation.count)"]
            + (distillation.map { ["distillation = T \($0.temperature), alpha \($0.alpha), \($0.targets.count) targets"] } ?? [])
    }

}
