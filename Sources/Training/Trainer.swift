// Trainer: one trial's training run. Epochs in a seeded order, a full validation pass after each,
// per-trial patience with the best weights restored, divergence ending the trial (not the
// process), and a reporter that may stop it (the coordinator's pruning). A run is resumable from
// the end of any epoch, bit-exactly: `train(resumingFrom:onEpochState:reporter:)` hands out a
// `TrainingState` after every epoch and continues from one (see TrainingState.swift).
import Datasets
import Foundation
import NN
import Search
import TensorCore

public final class Trainer {
    public let config: TrainingConfig
    public let data: PreparedData
    public let seed: UInt64
    public let model: Sequential
    public let cost: ModelCost
    public var maxEpochs: Int
    /// Epochs without an improvement of more than `minDelta` before stopping; nil: never.
    public var patience: Int?
    public var minDelta: Double
    public var metric: MetricSpec
    public weak var progress: (any TrainingProgress)?
    /// Training examples per epoch at most (nil: all); for the recipe's short checks.
    public var maxBatchesPerEpoch = Int.max
    /// A mean epoch training loss above `divergenceFactor` × the initial loss counts as divergence.
    public var divergenceFactor = 4.0
    /// Train on a teacher's soft targets as well as the labels (a student); nil: labels only.
    /// Augmented inputs keep their example's targets (flips and shifts preserve the class).
    public var distillation: Distillation? {
        didSet {
            if let d = distillation, d.alpha > 0 {
                precondition(d.targets.count == data.train.count * data.classCount,
                             "soft targets for \(d.targets.count / max(data.classCount, 1)) examples, training split has \(data.train.count)")
            }
        }
    }

    /// Builds the model from `seed` (the trial's training seed): the same seed gives the same
    /// initial weights, batch order, dropout masks and augmentations on any rank.
    public init(config: TrainingConfig, data: PreparedData, seed: UInt64, maxEpochs: Int, patience: Int? = nil,
                minDelta: Double = 0, metric: MetricSpec = MetricSpec(name: "val_loss", goal: .minimize)) throws {
        self.config = config
        self.data = data
        self.seed = seed
        self.maxEpochs = maxEpochs
        self.patience = patience
        self.minDelta = minDelta
        self.metric = metric
        var rng = RNG(seed: seed, stream: 1)
        (model, cost) = try ModelBuilder.build(config, for: data, rng: &rng)
    }

    public func makeOptimizer() -> any Optimizer { Self.makeOptimizer(config) }

    /// The optimizer `config` names, with its learning rate, moments and weight decay (L2 for
    /// Adam and SGD, decoupled for AdamW).
    public static func makeOptimizer(_ config: TrainingConfig) -> any Optimizer {
        let lr = Float(config.learningRate), wd = Float(config.weightDecay)
        switch config.optimizer {
        case .adam: return Adam(learningRate: lr, beta1: Float(config.beta1), beta2: Float(config.beta2), weightDecay: wd)
        case .adamw: return Adam(learningRate: lr, beta1: Float(config.beta1), beta2: Float(config.beta2), weightDecay: wd, decoupledWeightDecay: true)
        case .sgd: return SGD(learningRate: lr, momentum: Float(config.momentum), nesterov: config.nesterov, weightDecay: wd)
        }
    }

    /// The schedule over the whole budget, in steps.
    public func makeSchedule(stepsPerEpoch: Int) -> LRSchedule {
        let total = maxEpochs * stepsPerEpoch
        let warm = min(Int((config.warmupEpochs * Double(stepsPerEpoch)).rounded()), max(total - 1, 0))
        // The decay runs over the steps after the warm-up, so it ends where the budget ends.
        let base: LRSchedule
        switch config.schedule {
        case .constant: base = .constant
        case .cosine: base = .cosine(totalSteps: total - warm, minFactor: 0)
        case .step: base = .step(every: max(1, (total - warm) / 3), gamma: 0.2)
        }
        return warm > 0 ? .warmup(steps: warm, then: base) : base
    }

    /// Trains up to `maxEpochs`; after each epoch `reporter` sees the metrics and may stop the
    /// run. The model ends with the weights of the best epoch by `metric`.
    public func train(reporter: ((EpochMetrics) -> TrainingDecision)? = nil) -> TrainingResult {
        let run = makeRun()
        return train(run, progress: RunProgress(), onEpochState: nil, reporter: reporter)
    }

    /// `train(reporter:)`, resumable. `onEpochState(epoch, bytes)` receives, at the end of every
    /// epoch that the run continues past (the reporter said continue and patience did not stop
    /// it; the last epoch of the budget included), the encoded `TrainingState` to persist.
    /// `resumingFrom` (bytes from `onEpochState`, nil: start afresh) restores that state into this
    /// trainer's fresh model and continues with the next epoch: the epochs that follow, the
    /// history, the outcome and the final weights are bit-identical to an uninterrupted run with
    /// the same configuration, seed, data and settings (only the wall times differ; `seconds`
    /// adds up every session's). A state saved after the last epoch just finishes the run.
    ///
    /// Throws `CheckpointError` (naming `source`) before training when the state is corrupt or
    /// belongs to another run (`.incompatibleState`: seed, architecture, configuration or
    /// settings differ); the model is left unchanged then.
    public func train(resumingFrom state: [UInt8]?, source: String = "training state",
                      onEpochState: ((Int, [UInt8]) -> Void)? = nil,
                      reporter: ((EpochMetrics) -> TrainingDecision)? = nil) throws -> TrainingResult {
        let run = makeRun()
        var position = RunProgress()
        if let state { position = try restore(TrainingState.decode(state, source: source), into: run, source: source) }
        return train(run, progress: position, onEpochState: onEpochState, reporter: reporter)
    }

    /// What one call to `train` works with; the optimizer is fresh.
    struct Run {
        let batcher: Batcher
        let batches: Int
        let optimizer: any Optimizer
        let schedule: LRSchedule
        let parameters: [Tensor]
    }

    /// Where a run stands after its last completed epoch.
    struct RunProgress {
        var epoch = 0
        var history: [EpochMetrics] = []
        var best: (metrics: EpochMetrics, snapshot: Checkpoint)?
        var sinceImprovement = 0
        var initialLoss = Double.nan
        var step = 0
        var seconds = 0.0
    }

    func makeRun() -> Run {
        let batcher = Batcher(dataset: data.train, batchSize: min(config.batchSize, data.train.count), rng: RNG(seed: seed, stream: 2))
        let batches = min(batcher.batchesPerEpoch, maxBatchesPerEpoch)
        return Run(batcher: batcher, batches: batches, optimizer: makeOptimizer(), schedule: makeSchedule(stepsPerEpoch: batches),
                   parameters: model.parameters)
    }

    private func train(_ run: Run, progress position: RunProgress, onEpochState: ((Int, [UInt8]) -> Void)?,
                       reporter: ((EpochMetrics) -> TrainingDecision)?) -> TrainingResult {
        let start = Date()
        let batcher = run.batcher, batches = run.batches, optimizer = run.optimizer
        let schedule = run.schedule, parameters = run.parameters
        let augmenter = makeAugmenter()
        let smoothing = Float(config.labelSmoothing), clip = Float(config.clipNorm)

        var history = position.history
        var best = position.best
        var sinceImprovement = position.sinceImprovement
        var initialLoss = position.initialLoss
        var outcome = TrialOutcome.completed
        var step = position.step
        let lastEpoch = max(maxEpochs, 1)

        epochs: for epoch in stride(from: position.epoch + 1, through: lastEpoch, by: 1) {
            progress?.epochStarted(epoch, of: maxEpochs, batches: batches)
            let epochStart = Date()
            model.isTraining = true
            var lossSum = 0.0, correct = 0, seen = 0, batchIndex = 0
            var augmentRNG = RNG(seed: seed, stream: 3).derived(stream: UInt64(epoch))
            var failure: String?
            batcher.forEachIndexedBatch(epoch: epoch, maxBatches: batches) { x, labels, indices in
                guard failure == nil else { return }
                if let aug = augmenter { aug.apply(&x.data, rows: labels.count, rng: &augmentRNG) }
                let logits = model(x)
                var loss = Loss.softmaxCrossEntropy(logits, labels: labels, labelSmoothing: smoothing)
                if let d = distillation, d.alpha > 0 {
                    let soft = Loss.distillation(studentLogits: logits, teacherProbabilities: d.rows(indices, classes: data.classCount),
                                                 temperature: Float(d.temperature))
                    loss = Float(d.alpha) * soft + Float(1 - d.alpha) * loss
                }
                let value = Double(loss.item)
                if initialLoss.isNaN { initialLoss = value }
                guard value.isFinite else {
                    failure = "training loss became \(value) at epoch \(epoch), batch \(batchIndex + 1)"
                    return
                }
                optimizer.learningRate = schedule.rate(base: Float(config.learningRate), step: step)
                optimizer.minimize(loss, parameters: parameters, clipNorm: clip)
                step += 1
                batchIndex += 1
                lossSum += value * Double(labels.count)
                seen += labels.count
                correct += Self.correctCount(logits, labels)
                if let p = progress {
                    p.batchFinished(batchIndex, of: batches, runningLoss: lossSum / Double(seen),
                                    examplesPerSecond: Double(seen) / Date().timeIntervalSince(epochStart))
                }
            }
            if let failure { outcome = .diverged(failure); break epochs }
            let trainSeconds = Date().timeIntervalSince(epochStart)
            let trainLoss = lossSum / Double(max(seen, 1))
            if trainLoss > divergenceFactor * max(initialLoss, 1e-3) {
                outcome = .diverged(String(format: "epoch %d training loss %.4g is over %.0f× the initial loss %.4g", epoch, trainLoss, divergenceFactor, initialLoss))
                break
            }
            let validation = evaluate(data.validation)
            guard validation.loss.isFinite else {
                outcome = .diverged("validation loss became \(validation.loss) at epoch \(epoch)")
                break
            }
            let m = EpochMetrics(epoch: epoch, trainLoss: trainLoss, trainAccuracy: Double(correct) / Double(max(seen, 1)),
                                 validationLoss: validation.loss, validationAccuracy: validation.accuracy,
                                 learningRate: Double(optimizer.learningRate), seconds: Date().timeIntervalSince(epochStart),
                                 examplesPerSecond: Double(seen) / max(trainSeconds, 1e-9))
            history.append(m)
            let improved = best.map { isImprovement(m.value(of: metric), over: $0.metrics.value(of: metric)) } ?? true
            if best == nil || isBetter(m.value(of: metric), than: best!.metrics.value(of: metric)) {
                best = (m, Checkpoint(layer: model))
            }
            sinceImprovement = improved ? 0 : sinceImprovement + 1
            progress?.epochFinished(m, isBest: best?.metrics.epoch == epoch)
            if reporter?(m) == .stop { outcome = .pruned; break }
            if let patience, sinceImprovement >= patience, epoch < maxEpochs { outcome = .earlyStopped; break }
            if let onEpochState {
                let now = RunProgress(epoch: epoch, history: history, best: best, sinceImprovement: sinceImprovement,
                                      initialLoss: initialLoss, step: step, seconds: position.seconds + Date().timeIntervalSince(start))
                onEpochState(epoch, state(of: run, at: now).encoded())
            }
        }
        if let best { try? best.snapshot.restore(into: model) }
        model.isTraining = false
        return TrainingResult(history: history, best: best?.metrics, outcome: outcome,
                              seconds: position.seconds + Date().timeIntervalSince(start), initialLoss: initialLoss)
    }

    // MARK: Resumable state

    /// The state of `run` at the end of `position.epoch`, taken from the live model and optimizer.
    func state(of run: Run, at position: RunProgress) -> TrainingState {
        let best = position.best
        // The best snapshot is the current weights when the last epoch was the best: not stored twice.
        let snapshotIsCurrent = best?.metrics.epoch == position.epoch
        return TrainingState(epoch: position.epoch, step: position.step, initialLoss: position.initialLoss,
                             learningRate: run.optimizer.learningRate, history: position.history, best: best?.metrics,
                             sinceImprovement: position.sinceImprovement, seconds: position.seconds, seed: seed,
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
        var best: (metrics: EpochMetrics, snapshot: Checkpoint)?
        if let metrics = state.best, let snapshot = state.bestWeights {
            try snapshot.check(against: model, source: source)
            best = (metrics, snapshot)
        }
        // The optimizer is this run's own (fresh), so restoring it first changes nothing shared.
        try run.optimizer.restoreState(state.optimizer, for: run.parameters)
        run.optimizer.learningRate = state.learningRate
        try model.restoreRandomStates(streams, source: source)   // all or nothing
        try current.restore(into: model, source: source)         // checked above: cannot fail
        return RunProgress(epoch: state.epoch, history: state.history, best: best, sinceImprovement: state.sinceImprovement,
                           initialLoss: state.initialLoss, step: state.step, seconds: state.seconds)
    }

    /// Parameter, buffer and random-stream names with shapes, in the model's order.
    func architectureFingerprint() -> [String] {
        model.namedParameters.map { "\($0.0) \($0.1.shape)" } + model.namedBuffers.map { "buffer:\($0.0) \($0.1.shape)" }
            + model.namedRandomStreams.map { "rng:\($0.0)" }
    }

    /// Every TrainingConfig field as "name = value".
    func configurationFingerprint() -> [String] {
        Mirror(reflecting: config).children.map { "\($0.label ?? "?") = \(String(describing: $0.value))" }
    }

    /// The trainer's settings and the data's sizes: what else decides the epochs.
    func settingsFingerprint(batches: Int) -> [String] {
        ["maxEpochs = \(maxEpochs)", "patience = \(patience.map(String.init) ?? "none")", "minDelta = \(minDelta)",
         "metric = \(metric.name) (\(metric.goal.rawValue))", "maxBatchesPerEpoch = \(maxBatchesPerEpoch)",
         "divergenceFactor = \(divergenceFactor)", "batchesPerEpoch = \(batches)",
         "train = \(data.train.count) × \(data.featureCount) features, \(data.classCount) classes",
         "validation = \(data.validation.count)"]
            + (distillation.map { ["distillation = T \($0.temperature), alpha \($0.alpha), \($0.targets.count) targets"] } ?? [])
    }

    /// Strictly better (any amount): decides which weights are kept.
    func isBetter(_ a: Double, than b: Double) -> Bool {
        metric.goal == .minimize ? a < b : a > b
    }

    /// Better by more than `minDelta`: decides patience.
    func isImprovement(_ a: Double, over b: Double) -> Bool {
        metric.goal == .minimize ? a < b - minDelta : a > b + minDelta
    }

    func makeAugmenter() -> Augmenter? {
        guard config.augment != .none, let shape = data.imageShape, shape.count == 3 else { return nil }
        let fill = data.train.features.prefix(shape.reduce(1, *)).min() ?? 0
        return Augmenter(mode: config.augment, height: shape[0], width: shape[1], channels: shape[2], fill: fill)
    }

    /// Loss (without label smoothing), accuracy and probabilities of the current model over all of
    /// `dataset`, in evaluation mode and without recording a graph.
    public func evaluate(_ dataset: Dataset, batchSize: Int = 1000) -> Evaluation {
        Self.evaluate(model, dataset, batchSize: batchSize)
    }

    public static func evaluate(_ model: any Layer, _ dataset: Dataset, batchSize: Int = 1000) -> Evaluation {
        let wasTraining = model.isTraining
        model.isTraining = false
        defer { model.isTraining = wasTraining }
        let c = dataset.classCount
        var probabilities = [Float](repeating: 0, count: dataset.count * c)
        var nll = 0.0, correct = 0
        let batcher = Batcher(dataset: dataset, batchSize: max(1, min(batchSize, dataset.count)), rng: RNG(seed: 0))
        var row = 0
        Tensor.withoutGrad {
            batcher.forEachBatch(epoch: 0, shuffle: false) { x, labels in
                let logits = model(x)
                precondition(logits.shape == [labels.count, c], "model output \(logits.shape) does not match \(labels.count) examples × \(c) classes")
                logits.data.withUnsafeBufferPointer { z in
                    for r in 0..<labels.count {
                        var m = -Float.infinity, arg = 0
                        for j in 0..<c where z[r * c + j] > m { m = z[r * c + j]; arg = j }
                        var s = 0.0
                        for j in 0..<c { s += Foundation.exp(Double(z[r * c + j] - m)) }
                        let logZ = Double(m) + Foundation.log(s)
                        for j in 0..<c { probabilities[(row + r) * c + j] = Float(Foundation.exp(Double(z[r * c + j]) - logZ)) }
                        nll += logZ - Double(z[r * c + labels[r]])
                        if arg == labels[r] { correct += 1 }
                    }
                }
                row += labels.count
            }
        }
        let n = Double(max(dataset.count, 1))
        return Evaluation(loss: nll / n, accuracy: Double(correct) / n, probabilities: probabilities, count: dataset.count)
    }

    static func correctCount(_ logits: Tensor, _ labels: [Int]) -> Int {
        zip(logits.argmax(axis: 1), labels).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
    }
}
