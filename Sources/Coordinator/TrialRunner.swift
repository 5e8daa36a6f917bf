// TrialRunner: trains one assigned trial on whatever rank holds it, asking `decide` after every
// epoch, and packs what rank 0 stores: the best weights and the validation and test
// probabilities (the test split is predicted for the ensemble's final evaluation only; nothing
// selects on it).
import Cluster
import Foundation
import NN
import Search
import Training

/// Runs one trial on the rank that holds it, calling `decide` after every epoch (rank 0's answer
/// arrives through it) and returning what rank 0 stores.
public protocol TrialExecutor {
    /// Trains `task` from `resumeState` (empty: from the start), calling `decide` after every
    /// epoch and `saveState(epoch, bytes)` with the state to continue from after each epoch that
    /// goes on.
    func run(_ task: TrialTask, resumeState: [UInt8], saveState: (Int, [UInt8]) -> Void,
             decide: (EpochRecord) -> StopDecision) -> TrialOutput
    /// `run`, also handing `observe` the network's health (`EpochHealth`) at initialisation and
    /// after each epoch, before that epoch's `decide`. Executors that measure nothing need not
    /// implement it: the default calls `run` without observing.
    func run(_ task: TrialTask, resumeState: [UInt8], saveState: (Int, [UInt8]) -> Void,
             observe: (EpochHealth) -> Void, decide: (EpochRecord) -> StopDecision) -> TrialOutput
}

extension TrialExecutor {
    public func run(_ task: TrialTask, resumeState: [UInt8], saveState: (Int, [UInt8]) -> Void,
                    observe: (EpochHealth) -> Void, decide: (EpochRecord) -> StopDecision) -> TrialOutput {
        run(task, resumeState: resumeState, saveState: saveState, decide: decide)
    }

    public func run(_ task: TrialTask, decide: (EpochRecord) -> StopDecision) -> TrialOutput {
        run(task, resumeState: [], saveState: { _, _ in }, decide: decide)
    }
}

/// A finished trial: its result and the bytes rank 0 stores (empty when there is no model).
public struct TrialOutput: Sendable {
    public var result: TrialResult
    public var checkpoint: [UInt8]
    public var validationProbabilities: [UInt8]
    public var testProbabilities: [UInt8]

    public init(result: TrialResult, checkpoint: [UInt8] = [], validationProbabilities: [UInt8] = [], testProbabilities: [UInt8] = []) {
        self.result = result
        self.checkpoint = checkpoint
        self.validationProbabilities = validationProbabilities
        self.testProbabilities = testProbabilities
    }
}

/// Trains the trial with the project's trainer.
public struct TrialRunner: TrialExecutor {
    public let spec: SweepSpec
    public let data: PreparedData
    /// Set for a distillation sweep: trials whose configuration has a temperature and an alpha
    /// train on this teacher's soft targets (see `DistillationSweep`).
    public let teacher: Teacher?
    /// Faults to act out (the fault suite); none by default.
    public var faults = FaultInjection()
    public weak var progress: (any TrainingProgress)?

    public init(spec: SweepSpec, data: PreparedData, teacher: Teacher? = nil, progress: (any TrainingProgress)? = nil) {
        self.spec = spec
        self.data = data
        self.teacher = teacher
        self.progress = progress
    }

    /// The sweep a welcome describes: the sweep itself, or, with a distillation payload, the
    /// distillation sweep derived from it, with its teacher.
    /// `data` (default: loaded from the sweep's data section) must be what rank 0 used.
    public static func make(spec: SweepSpec, payload: [UInt8], data: PreparedData? = nil) throws -> TrialRunner {
        let data = try data ?? PreparedData.load(spec.data, seed: spec.seed)
        var runner = TrialRunner(spec: spec, data: data)
        if !payload.isEmpty {
            let p = try DistillationPayload.decode(payload)
            guard p.teacher.rows == data.train.count, p.teacher.classes == data.outputCount, p.teacher.regression == data.isRegression else {
                throw TeacherError("the teacher predicts \(p.teacher.rows) × \(p.teacher.classes) but this rank's training split is \(data.train.count) × \(data.outputCount): every rank must read the same data")
            }
            runner = TrialRunner(spec: p.sweep(parent: spec).spec, data: data, teacher: p.teacher)
        }
        runner.faults = try FaultInjection.fromEnvironment()
        return runner
    }

    /// Trains `task` (from `resumeState` when it is not empty); errors in the configuration or
    /// the model become a `failed` result, never a throw. A resume state this trainer cannot use
    /// (corrupt, or from another configuration) is set aside and the trial starts afresh: with
    /// the same seed its first epochs come out as they did before.
    public func run(_ task: TrialTask, resumeState: [UInt8], saveState: (Int, [UInt8]) -> Void,
                    decide: (EpochRecord) -> StopDecision) -> TrialOutput {
        run(task, resumeState: resumeState, saveState: saveState, observe: { _ in }, decide: decide)
    }

    /// Trains with the trainer's health probe on, handing each `EpochHealth` to `observe`.
    public func run(_ task: TrialTask, resumeState: [UInt8], saveState: (Int, [UInt8]) -> Void,
                    observe: (EpochHealth) -> Void, decide: (EpochRecord) -> StopDecision) -> TrialOutput {
        let started = Date()
        do {
            var configuration = task.configuration
            var distillation: Distillation?
            if let teacher, let split = DistillationSweep.split(configuration) {
                configuration = split.student
                distillation = Distillation(teacher: teacher, temperature: split.temperature, alpha: split.alpha)
            }
            let config = try spec.trainingConfig(configuration)
            func makeTrainer() throws -> Trainer {
                let t = try Trainer(config: config, data: data, seed: task.seed, maxEpochs: task.maxEpochs,
                                    patience: spec.earlyStopping.patience, minDelta: spec.earlyStopping.minDelta, metric: spec.metric)
                t.distillation = distillation
                t.progress = progress
                t.trial = task.index
                return t
            }
            let fault = faults.fault(trial: task.index)
            if fault?.kind == .throw { throw InjectedFault(trial: task.index) }
            var trainer = try makeTrainer()
            // The callbacks are optional (hence escaping) in the trainer's signature but only
            // used during `train`.
            let r = try withoutActuallyEscaping(decide) { decide in
                try withoutActuallyEscaping(observe) { observe in
                try withoutActuallyEscaping(saveState) { save in
                    // The trainer keeps the observer only while this scope lasts.
                    trainer.onHealth = observe
                    defer { trainer.onHealth = nil }
                    let reporter: (EpochRecord) -> StopDecision = { m in
                        if let fault, m.epoch == fault.epoch {
                            FaultInjection.strike(fault)
                            if fault.kind == .nan { for p in trainer.model.parameters { p.data = [Float](repeating: .nan, count: p.data.count) } }
                        }
                        return decide(m)
                    }
                    do {
                        return try trainer.train(resumingFrom: resumeState.isEmpty ? nil : resumeState,
                                                 source: "trial \(task.index)'s epoch state", onEpochState: save, reporter: reporter)
                    } catch is CheckpointError {
                        trainer.onHealth = nil
                        trainer = try makeTrainer()
                        trainer.onHealth = observe
                        return try trainer.train(resumingFrom: nil, onEpochState: save, reporter: reporter)
                    }
                }
                }
            }
            var result = TrialResult(trial: task.index, state: r.state, epochs: r.history.count, bestEpoch: r.best?.epoch,
                                     seconds: Date().timeIntervalSince(started), parameters: trainer.cost.parameters,
                                     flopsPerExample: trainer.cost.flopsPerExample)
            result.message = r.message
            guard r.best != nil else { return TrialOutput(result: result) }
            let validation = trainer.evaluate(data.validation), test = trainer.evaluate(data.test)
            let checkpoint = Checkpoint(layer: trainer.model, metadata: ["trial": "\(task.index)", "model": config.model.rawValue,
                                                                         "configuration": configuration.description])
            return TrialOutput(result: result, checkpoint: checkpoint.encoded(),
                               validationProbabilities: Self.bytes(validation.outputs), testProbabilities: Self.bytes(test.outputs))
        } catch {
            return TrialOutput(result: TrialResult(trial: task.index, state: .failed, message: "\(error)", epochs: 0,
                                                   seconds: Date().timeIntervalSince(started)))
        }
    }

    /// Float32 little-endian bytes.
    public static func bytes(_ values: [Float]) -> [UInt8] {
        values.withUnsafeBufferPointer { Array(UnsafeRawBufferPointer($0)) }
    }

    public static func floats(_ bytes: [UInt8]) -> [Float] {
        bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
}
