// Distiller: the parts of `hpsearch distill` that read and write run directories: the teacher
// (an ensemble's members, their predictions on the training split reloaded or cached), the
// student's configuration, and, once the distillation sweep is done, the report comparing the
// best student with the hard-label control, the best single model and the ensemble.
import Foundation
import Search
import Storage
import TensorCore
import Training

public struct Distiller {
    /// The main sweep's run directory, store, data and member predictions.
    public var builder: EnsembleBuilder
    public var spec: SweepSpec { builder.spec }
    public var store: any Store { builder.store }
    public var data: PreparedData { builder.data }
    public var predictions: MemberPredictions {
        get { builder.predictions }
        set { builder.predictions = newValue }
    }

    public init(_ builder: EnsembleBuilder) { self.builder = builder }

    /// The newest ensemble stored for this sweep (not a distillation record), if any.
    public func latestEnsemble() throws -> EnsembleReport? {
        guard let record = try store.ensembles().filter({ $0.method != "distilled" }).max(by: { $0.id < $1.id }) else { return nil }
        return try ResultJSON.decode(EnsembleReport.self, record.resultJSON)
    }

    /// The teacher: the ensemble's members and weights, with their predictions on the training
    /// split (read from `trials/NNNNN/train.f32` when cached, else computed from the checkpoint
    /// once and cached): class probabilities, or for regression predictions in the targets' units
    /// (a regression teacher, whose targets are the members' weighted mean).
    public func teacher(_ ensemble: EnsembleReport) throws -> Teacher {
        let records = Dictionary(uniqueKeysWithValues: try store.trials().map { ($0.index, $0) })
        var members: [[Float]] = [], weights: [Double] = []
        for m in ensemble.members {
            guard let index = m.trial, let t = records[index] else { throw EnsembleError(description: "ensemble member \(m.name) is not a trial of this sweep") }
            members.append(try predictions.probabilities(t, .train))
            weights.append(m.weight ?? 1)
        }
        return try Teacher(members: members, weights: weights, rows: data.train.count, classes: data.outputCount, regression: data.isRegression)
    }

    /// The student: the best single model's configuration with the distill section's `student`
    /// overrides.
    public func student(_ ensemble: EnsembleReport) throws -> Configuration {
        guard let index = ensemble.bestSingle.trial, let best = try store.trials().first(where: { $0.index == index }) else {
            throw EnsembleError(description: "the ensemble's best single model is not a trial of this sweep")
        }
        let student = DistillationSweep.student(base: best.configuration, overrides: spec.distill?.student ?? [:])
        if spec.program == nil { _ = try spec.trainingConfig(student) }   // fails here, with the parameter named, not on a worker
        return student
    }

    /// The report of a finished distillation sweep stored in `students` (a run directory whose
    /// trial 0 is the control); stored in this sweep's ensembles table as "distilled".
    public func report(ensemble: EnsembleReport, sweep: DistillationSweep, store students: any Store,
                       run studentRun: RunDirectory) throws -> DistillationReport {
        let reader = MemberPredictions(spec: sweep.spec, store: students, run: studentRun, data: data)
        let trials = try students.trials().filter { $0.state.hasModel && $0.bestValue != nil }
        guard let control = trials.first(where: { $0.index == 0 }) else {
            throw EnsembleError(description: "the hard-label control (trial 0 of \(studentRun.url.path)) has no model: see `hpsearch status \(studentRun.url.path)`")
        }
        let candidates = trials.filter { $0.index > 0 }
        guard let best = candidates.min(by: { a, b in
            a.bestValue! == b.bestValue! ? a.index < b.index : sweep.spec.metric.isBetter(a.bestValue!, than: b.bestValue!)
        }) else {
            throw EnsembleError(description: "no student of \(studentRun.url.path) finished with a model: see `hpsearch status \(studentRun.url.path)`")
        }
        var rng = RNG(seed: 0)
        let cost = spec.program != nil ? ModelCost(parameters: 0, flopsPerExample: 0)
            : try ModelBuilder.build(try spec.trainingConfig(sweep.student), for: data, rng: &rng).cost
        func entry(_ t: TrialRecord, _ name: String) throws -> EnsembleEntry {
            EnsembleBuilder.entry(data, trial: t.index, name: name, weight: nil, validation: try reader.probabilities(t, .validation),
                                  test: try reader.probabilities(t, .test), params: cost.parameters, flopsPerExample: cost.flopsPerExample)
        }
        let settings = DistillationSweep.split(best.configuration)
        var results: [DistillationReport.StudentResult] = []
        var student: EnsembleEntry?
        for t in candidates {
            let s = DistillationSweep.split(t.configuration)
            let (temperature, alpha) = (s?.temperature ?? .nan, s?.alpha ?? .nan)
            let e: EnsembleEntry
            if data.isRegression {
                // The temperature does not enter a regression student's loss.
                e = try entry(t, String(format: "student (α %.3g)", alpha))
                results.append(.init(trial: t.index, temperature: temperature, alpha: alpha,
                                     validationRMSE: e.regressionValidation!.rmse, testRMSE: e.regressionTest!.rmse))
            } else {
                e = try entry(t, String(format: "student (T %.3g, α %.3g)", temperature, alpha))
                results.append(.init(trial: t.index, temperature: temperature, alpha: alpha,
                                     validationAccuracy: e.validation!.accuracy, testAccuracy: e.test!.accuracy))
            }
            if t.index == best.index { student = e }
        }
        guard let student else { throw EnsembleError(description: "internal: the picked student is not among the candidates") }
        let report = DistillationReport(
            student: student, control: try entry(control, "hard-label control"), bestSingle: ensemble.bestSingle, ensemble: ensemble.ensemble,
            ensembleMethod: ensemble.method, temperature: settings?.temperature ?? .nan, alpha: settings?.alpha ?? .nan, students: results,
            keptGain: Self.keptGain(student: student, bestSingle: ensemble.bestSingle, ensemble: ensemble.ensemble),
            costRatio: Double(ensemble.ensemble.flopsPerExample) / Double(max(student.flopsPerExample, 1)))
        try store.putEnsemble(EnsembleRecord(id: 0, method: "distilled", members: ensemble.members.compactMap(\.trial),
                                             weights: ensemble.members.compactMap(\.weight), resultJSON: try ResultJSON.encode(report)))
        return report
    }

    /// The share of the ensemble's test gain over the best single model that the student keeps
    /// (`DistillationReport.keptGain`): in accuracy for classification, in RMSE for regression
    /// (lower is better: (best − student) ÷ (best − ensemble)); NaN when the ensemble is no better
    /// than the best single model (or the entries lack the figures).
    public static func keptGain(student: EnsembleEntry, bestSingle: EnsembleEntry, ensemble: EnsembleEntry) -> Double {
        if let s = student.regressionTest?.rmse, let b = bestSingle.regressionTest?.rmse, let e = ensemble.regressionTest?.rmse {
            let gain = b - e
            return gain > 0 ? (b - s) / gain : .nan
        }
        guard let s = student.test?.accuracy, let b = bestSingle.test?.accuracy, let e = ensemble.test?.accuracy else { return .nan }
        let gain = e - b
        return gain > 0 ? (s - b) / gain : .nan
    }
}
