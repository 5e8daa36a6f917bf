// Distillation of a regression ensemble, end to end in one process: a small sweep on synthetic
// regression data, its safe average, the teacher (the members' training-split predictions,
// reloaded from checkpoints), the students' sweep through the coordinator, and the report.
import Datasets
import Foundation
import Search
import Storage
import TensorCore
import TestSupport
import XCTest
@testable import Coordinator
@testable import Ensembles
@testable import Training

final class RegressionDistillerTests: XCTestCase {
    static let data = RegressionEnsembleTests.data(train: 240, validation: 120, test: 120)

    static let spec = try! SweepSpec.parse(yaml: """
    name: synthetic-regression
    seed: 5
    task: regression
    data: {source: {npy: {x: /unused/x.npy, y: /unused/y.npy}}, validation: 10}
    model: mlp
    budget: {trials: 4, max_epochs: 4}
    parameters:
      learning_rate: {distribution: log_uniform_values, min: 3.0e-3, max: 3.0e-2}
      width: {values: [16, 32]}
      depth: {value: 1}
      batch_size: {value: 32}
    ensemble: {top_k: 3}
    distill:
      alpha: {distribution: uniform, min: 0.5, max: 0.9}
      trials: 2
      student: {width: 8}
    """, file: "synthetic-regression.yaml", vocabulary: TrainingConfig.vocabulary)

    func sweep(_ spec: SweepSpec, in run: RunDirectory, sampler: (any Sampler)? = nil, teacher: Teacher? = nil) throws -> SQLiteStore {
        try run.create()
        let store = try SQLiteStore(path: run.storePath)
        let coordinator = SweepCoordinator(spec: spec, store: store, run: run, sampler: sampler)
        try coordinator.prepare()
        try LocalLoop(coordinator: coordinator, runner: TrialRunner(spec: spec, data: Self.data, teacher: teacher)).run()
        return store
    }

    func testARegressionEnsembleIsDistilledOnItsMeanPrediction() throws {
        let dir = try TemporaryDirectory(prefix: "distill-regression")
        let parent = RunDirectory(dir.file("main").path)
        let store = try sweep(Self.spec, in: parent)
        let trials = try store.trials()
        XCTAssertTrue(trials.allSatisfy { $0.state == .completed }, "\(trials.map(\.state))")
        let distiller = Distiller(EnsembleBuilder(spec: Self.spec, store: store, run: parent, data: Self.data))
        let safe = try distiller.builder.build(top: 3, method: "average")
        XCTAssertTrue(safe.isRegression)
        XCTAssertEqual(safe.members.count + (safe.excluded?.count ?? 0), 3)
        // Never worse than its best member on the validation MSE of the standardised targets (what selection minimises).
        let v = try XCTUnwrap(Self.data.validation.targets)
        func validation(_ trial: Int?) throws -> [Float] {
            try distiller.predictions.probabilities(try XCTUnwrap(trials.first { $0.index == trial }), .validation)
        }
        let combined = EnsembleSelection.combine(try safe.members.map { try validation($0.trial) }, EnsembleWeights(weights: safe.members.map { $0.weight ?? 0 }))
        XCTAssertLessThanOrEqual(RegressionScores(predictions: combined, targets: v).standardisedMSE,
                                 RegressionScores(predictions: try validation(safe.bestSingle.trial), targets: v).standardisedMSE + 1e-9)
        // The teacher below: all three, so that its mean is a mean.
        let ensemble = try distiller.builder.build(top: 3, method: "average", keepAll: true)
        XCTAssertEqual(ensemble.members.count, 3)

        let teacher = try distiller.teacher(ensemble)
        XCTAssertTrue(teacher.regression)
        XCTAssertEqual(teacher.classes, 2, "one output per target")
        XCTAssertEqual(teacher.rows, 240)
        // The teacher's targets are the members' weighted mean training-split predictions, in the targets' units.
        let train = try ensemble.members.map { m in try distiller.predictions.probabilities(try XCTUnwrap(try store.trials().first { $0.index == m.trial }), .train) }
        let mean = EnsembleSelection.combine(train, EnsembleWeights(weights: ensemble.members.map { $0.weight ?? 0 }))
        for (x, y) in zip(teacher.meanOutputs(), mean) { XCTAssertEqual(x, y, accuracy: 1e-3 * max(1, abs(y))) }
        let truth = try XCTUnwrap(Self.data.train.targets)
        XCTAssertLessThan(RegressionMetrics(predictions: teacher.meanOutputs(), targets: truth).rmse, truth.std[1],
                          "the teacher predicts the training targets better than their mean does")

        let student = try distiller.student(ensemble)
        XCTAssertEqual(student["width"], .int(8))
        let payload = DistillationPayload(student: student, teacher: teacher, trials: 2, epochs: nil)
        XCTAssertEqual(try DistillationPayload.decode(payload.encoded()), payload, "a regression teacher travels to the ranks")
        let distillation = payload.sweep(parent: Self.spec)
        let run = RunDirectory(parent.url.appendingPathComponent("distill").path)
        let students = try sweep(distillation.spec, in: run, sampler: distillation.makeSampler(), teacher: teacher)
        let studentTrials = try students.trials()
        XCTAssertTrue(studentTrials.allSatisfy { $0.state == .completed }, "\(studentTrials.map(\.state))")

        let r = try distiller.report(ensemble: ensemble, sweep: distillation, store: students, run: run)
        XCTAssertTrue(r.isRegression)
        XCTAssertEqual(r.control.trial, 0)
        XCTAssertEqual(r.students.map(\.trial), [1, 2])
        XCTAssertTrue(r.students.allSatisfy { $0.validationRMSE != nil && $0.testRMSE != nil && $0.validationAccuracy == nil })
        XCTAssertEqual(r.students.first { $0.trial == r.student.trial }?.testRMSE, r.student.regressionTest?.rmse)
        XCTAssertEqual(r.student.params, 4 * 8 + 8 + 8 * 2 + 2, "the student's own (smaller) architecture, two outputs")
        XCTAssertEqual(r.control.params, r.student.params)
        XCTAssertNil(r.student.test)
        XCTAssertEqual(r.bestSingle, ensemble.bestSingle)
        let expected = Distiller.keptGain(student: r.student, bestSingle: r.bestSingle, ensemble: r.ensemble)
        XCTAssertTrue(r.keptGain == expected || (r.keptGain.isNaN && expected.isNaN))
        let stored = try XCTUnwrap(try store.ensembles().last { $0.method == "distilled" })
        XCTAssertEqual(try ResultJSON.encode(try ResultJSON.decode(DistillationReport.self, stored.resultJSON)), try ResultJSON.encode(r),
                       "stored (compared as JSON: a NaN kept gain is not equal to itself)")
    }
}
