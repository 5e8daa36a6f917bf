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
    /// The trial index the epoch records carry (the caller's; 0 outside a sweep).
    public var trial = 0
    /// Training examples per epoch at most (nil: all); for the recipe's short checks.
    public var maxBatchesPerEpoch = Int.max
    /// Called with the network's per-layer health on a fixed batch (`HealthProbe`) at
    /// initialisation (epoch 0, on a fresh start only) and after every epoch's training pass,
    /// the epoch that diverges included; nil: not measured. Measuring changes nothing in the
    /// training: the same seed gives the same epochs, weights and outcome with or without it.
    public var onHealth: ((EpochHealth) -> Void)?
    /// A mean epoch training loss above `divergenceFactor` × the initial loss counts as divergence.
    public var divergenceFactor = 4.0
    /// Train on a teacher's soft targets as well as the labels (a student); nil: labels only.
    /// Augmented inputs keep their example's targets (flips and shifts preserve the class).
    public var distillation: Distillation? {
        didSet {
            if let d = distillation, d.alpha > 0 {
                precondition(d.targets.count == data.train.count * data.outputCount && d.regression == data.isRegression,
                             "soft targets for \(d.targets.count / max(data.outputCount, 1)) examples, training split has \(data.train.count)")
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
        try Self.checkMetric(metric, data: data)
        if let why = config.loss.mismatch(regression: data.isRegression) { throw TrainingConfigError(parameter: "loss", message: why) }
        var rng = RNG(seed: seed, stream: 1)
        (model, cost) = try ModelBuilder.build(config, for: data, rng: &rng)
    }

    /// Throws when the data's task does not compute `metric` (val_auc or val_f1 without exactly
    /// two classes, a regression metric on classes or the reverse), saying which metrics it does compute.
    public static func checkMetric(_ metric: MetricSpec, data: PreparedData) throws {
        let computed = computedMetrics(data)
        guard computed.contains(metric.name) else {
            let what = data.isRegression ? "this data is a regression on \(data.outputCount) target(s)" : "this data has \(data.classCount) classes"
            throw TrainingConfigError(parameter: "metric", message: "\(metric.name) needs \(MetricSpec.known.first { $0.name == metric.name }?.needs ?? "another task"), and \(what): use one of \(computed.joined(separator: ", "))")
        }
    }

    /// The validation metrics an epoch on `data` computes.
    public static func computedMetrics(_ data: PreparedData) -> [String] {
        data.isRegression ? MetricSpec.names(for: .regression)
            : ["val_loss", "val_accuracy"] + BinaryMetrics.names(classes: data.classCount).map { "val_" + $0 }
    }

    /// Trains up to `maxEpochs`; after each epoch `reporter` sees the metrics and may stop the
    /// run. The model ends with the weights of the best epoch by `metric`.
    public func train(reporter: ((EpochRecord) -> StopDecision)? = nil) -> TrainingResult {
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
                      reporter: ((EpochRecord) -> StopDecision)? = nil) throws -> TrainingResult {
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
        var history: [EpochRecord] = []
        var best: (metrics: EpochRecord, snapshot: Checkpoint)?
        /// The patience record (best value and epoch, epochs since an improvement); nil before epoch 1.
        var patience: PatienceStopper.Record?
        var initialLoss = Double.nan
        var step = 0
        var seconds = 0.0
    }

    func makeRun() -> Run {
        let batcher = Self.makeBatcher(config: config, data: data, seed: seed)
        let batches = min(batcher.batchesPerEpoch, maxBatchesPerEpoch)
        return Run(batcher: batcher, batches: batches, optimizer: makeOptimizer(), schedule: makeSchedule(stepsPerEpoch: batches),
                   parameters: model.parameters)
    }

    private func train(_ run: Run, progress position: RunProgress, onEpochState: ((Int, [UInt8]) -> Void)?,
                       reporter: ((EpochRecord) -> StopDecision)?) -> TrainingResult {
        let start = Date()
        let batcher = run.batcher, batches = run.batches, optimizer = run.optimizer
        let schedule = run.schedule, parameters = run.parameters
        let augmenter = makeAugmenter()
        let smoothing = Float(config.labelSmoothing), clip = Float(config.clipNorm)
        let lossKind = config.loss.resolved(regression: data.isRegression), regression = data.isRegression

        var history = position.history
        var best = position.best
        // Patience is PatienceStopper's rule for this one trial (index 0). Without a patience
        // setting it still keeps the record (saved in states) but never stops the run.
        var stopper = makePatienceStopper()
        if let record = position.patience { stopper.restore(record, trial: 0) }
        var initialLoss = position.initialLoss
        var ending = TrialState.completed
        var message: String?
        var stopReason: String?
        var step = position.step
        let lastEpoch = max(maxEpochs, 1)
        let healthProbe = onHealth.map { _ in HealthProbe(data: data, loss: config.loss) }
        if let healthProbe, position.epoch == 0 { onHealth?(healthProbe.measure(model, trial: trial, epoch: 0)) }

        epochs: for epoch in stride(from: position.epoch + 1, through: lastEpoch, by: 1) {
            progress?.epochStarted(epoch, of: maxEpochs, batches: batches)
            let epochStart = Date()
            model.isTraining = true
            var lossSum = 0.0, correct = 0, seen = 0, batchIndex = 0
            var augmentRNG = Self.augmentRNG(seed: seed, epoch: epoch)
            var failure: String?
            var updateRatios: [Int: Double] = [:]
            batcher.forEachIndexedBatch(epoch: epoch, maxBatches: batches) { x, labels, indices in
                guard failure == nil else { return }
                if let aug = augmenter { aug.apply(&x.data, rows: labels.count, rng: &augmentRNG) }
                let logits = model(x)
                var loss = lossKind.batchLoss(logits, dataset: data.train, labels: labels, indices: indices, labelSmoothing: smoothing)
                if let d = distillation, d.alpha > 0 {
                    let soft = regression
                        ? Loss.mse(logits, d.standardisedRows(indices, targets: data.train.targets!))
                        : Loss.distillation(studentLogits: logits, teacherProbabilities: d.rows(indices, classes: data.classCount),
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
                // The epoch's last step: its update-to-weight ratio, for the health record.
                let before = healthProbe != nil && batchIndex == batches - 1 ? HealthProbe.snapshot(model) : nil
                optimizer.minimize(loss, parameters: parameters, clipNorm: clip)
                if let before { updateRatios = HealthProbe.updateRatios(model, since: before) }
                step += 1
                batchIndex += 1
                lossSum += value * Double(labels.count)
                seen += labels.count
                if !regression { correct += Self.correctCount(logits, labels) }
                if let p = progress {
                    p.batchFinished(batchIndex, of: batches, runningLoss: lossSum / Double(seen),
                                    examplesPerSecond: Double(seen) / Date().timeIntervalSince(epochStart))
                }
            }
            if let healthProbe { onHealth?(healthProbe.measure(model, trial: trial, epoch: epoch, updateRatios: updateRatios)) }
            if let failure { (ending, message) = (.diverged, failure); break epochs }
            let trainSeconds = Date().timeIntervalSince(epochStart)
            let trainLoss = lossSum / Double(max(seen, 1))
            if trainLoss > divergenceFactor * max(initialLoss, 1e-3) {
                (ending, message) = (.diverged, String(format: "epoch %d training loss %.4g is over %.0f× the initial loss %.4g", epoch, trainLoss, divergenceFactor, initialLoss))
                break
            }
            let validation = evaluate(data.validation)
            guard validation.loss.isFinite else {
                (ending, message) = (.diverged, "validation loss became \(validation.loss) at epoch \(epoch)")
                break
            }
            var m = EpochRecord(trial: trial, epoch: epoch, trainLoss: trainLoss,
                                 trainAccuracy: regression ? .nan : Double(correct) / Double(max(seen, 1)),
                                 validationLoss: validation.loss, validationAccuracy: validation.accuracy,
                                 learningRate: Double(optimizer.learningRate), seconds: Date().timeIntervalSince(epochStart),
                                 examplesPerSecond: Double(seen) / max(trainSeconds, 1e-9))
            for (name, value) in validation.metrics { m.metrics["val_" + name] = value }
            history.append(m)
            let patienceDecision = stopper.report(trial: 0, epoch: epoch, value: m.value(of: metric))
            let record = stopper.record(trial: 0)!
            // The kept weights are the strictly best epoch's (any gain, even one within minDelta).
            if record.bestEpoch == epoch { best = (m, Checkpoint(layer: model)) }
            progress?.epochFinished(m, isBest: best?.metrics.epoch == epoch)
            if case .stop = reporter?(m) { ending = .pruned; break }
            if let patience {
                // PatienceStopper needs patience ≥ 1; a patience below 1 (not from a sweep file) stops
                // after any epoch before the last, as `sinceImprovement ≥ patience` always holds.
                if case .stop(let reason) = patienceDecision { ending = .earlyStopped; stopReason = reason; break }
                if patience < 1, epoch < maxEpochs { ending = .earlyStopped; break }
            }
            if let onEpochState {
                let now = RunProgress(epoch: epoch, history: history, best: best, patience: record,
                                      initialLoss: initialLoss, step: step, seconds: position.seconds + Date().timeIntervalSince(start))
                onEpochState(epoch, state(of: run, at: now).encoded())
            }
        }
        if let best { try? best.snapshot.restore(into: model) }
        model.isTraining = false
        return TrainingResult(history: history, best: best?.metrics, state: ending, message: message, stopReason: stopReason,
                              seconds: position.seconds + Date().timeIntervalSince(start), initialLoss: initialLoss)
    }

    /// This run's patience rule (for trial 0); without `patience`, one that never stops the run.
    func makePatienceStopper() -> PatienceStopper {
        PatienceStopper(patience: patience.map { max($0, 1) } ?? Int.max, minDelta: minDelta, goal: metric.goal, maxEpochs: maxEpochs)
    }

    func makeAugmenter() -> Augmenter? { Self.makeAugmenter(config: config, data: data) }

    /// The training batches of a run with `seed`: a fresh permutation of `data.train` per epoch.
    static func makeBatcher(config: TrainingConfig, data: PreparedData, seed: UInt64) -> Batcher {
        Batcher(dataset: data.train, batchSize: min(config.batchSize, data.train.count), rng: RNG(seed: seed, stream: 2))
    }

    /// The augmentations of `config` for image data; nil when there are none (tables, `augment: none`).
    static func makeAugmenter(config: TrainingConfig, data: PreparedData) -> Augmenter? {
        guard config.augment != .none, let shape = data.imageShape, shape.count == 3 else { return nil }
        let fill = data.train.features.prefix(shape.reduce(1, *)).min() ?? 0
        return Augmenter(mode: config.augment, height: shape[0], width: shape[1], channels: shape[2], fill: fill)
    }

    /// The stream that draws epoch `epoch`'s augmentations, one batch after another.
    static func augmentRNG(seed: UInt64, epoch: Int) -> RNG {
        RNG(seed: seed, stream: 3).derived(stream: UInt64(epoch))
    }

    /// Mean training loss, accuracy (NaN for regression) and the first batch's loss come from the
    /// task's loss (`LossKind.batchLoss`).
    static func correctCount(_ logits: Tensor, _ labels: [Int]) -> Int {
        zip(logits.argmax(axis: 1), labels).reduce(0) { $0 + ($1.0 == $1.1 ? 1 : 0) }
    }
}
