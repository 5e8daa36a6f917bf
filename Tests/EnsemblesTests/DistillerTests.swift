// `hpsearch distill` without the command line: a small sweep on synthetic data, its ensemble,
// the teacher from reloaded checkpoints, and the distillation sweep through the coordinator,
// in one process and across in-process ranks (the teacher travels in the welcome).
import Cluster
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

final class DistillerTests: XCTestCase {
    static func blobs(_ n: Int, seed: UInt64) -> Dataset {
        var centres = RNG(seed: 99), rng = RNG(seed: seed)
        let mu = (0..<3).map { _ in centres.normalArray(8, std: 0.8) }
        var x: [Float] = [], y: [Int] = []
        for i in 0..<n { x += zip(mu[i % 3], rng.normalArray(8)).map { $0 + $1 }; y.append(i % 3) }
        return Dataset(features: x, labels: y, featureCount: 8, classCount: 3)
    }

    static let data = PreparedData(train: blobs(240, seed: 1), validation: blobs(120, seed: 2), test: blobs(120, seed: 3))

    static let spec = try! SweepSpec.parse(yaml: """
    name: synthetic
    seed: 5
    data: {source: {idx: {dir: /unused}}, validation: 10}
    model: mlp
    budget: {trials: 5, max_epochs: 4}
    parameters:
      learning_rate: {distribution: log_uniform_values, min: 1.0e-3, max: 3.0e-2}
      width: {values: [16, 32, 64]}
      depth: {value: 1}
      batch_size: {value: 32}
    ensemble: {top_k: 3}
    distill:
      temperature: {distribution: uniform, min: 1.5, max: 6}
      alpha: {distribution: uniform, min: 0.5, max: 0.9}
      trials: 2
      student: {width: 8}
    """, file: "synthetic.yaml", vocabulary: TrainingConfig.vocabulary)

    /// Runs `spec` (with `sampler`, `teacher`/`payload` for a distillation) in `run` over `size` in-process ranks.
    func sweep(_ spec: SweepSpec, in run: RunDirectory, size: Int, sampler: (any Sampler)? = nil,
               teacher: Teacher? = nil, payload: [UInt8] = []) throws -> SQLiteStore {
        try run.create()
        let store = try SQLiteStore(path: run.storePath)
        let coordinator = SweepCoordinator(spec: spec, store: store, run: run, sampler: sampler)
        try coordinator.prepare()
        if size == 1 {
            try LocalLoop(coordinator: coordinator, runner: TrialRunner(spec: spec, data: Self.data, teacher: teacher)).run()
            return store
        }
        let world = LocalCommunicator.world(size: size)
        let group = DispatchGroup(), failures = Failures()
        for c in world.dropFirst() {
            var worker = WorkerLoop(communicator: c)
            // What a real worker does with the welcome, on the test's data.
            worker.makeExecutor = { spec, payload in try TrialRunner.make(spec: spec, payload: payload, data: Self.data) }
            let w = Unchecked(value: worker)
            DispatchQueue.global().async(group: group) {
                do { try w.value.run() } catch { failures.add("\(error)") }
            }
        }
        var loop = CoordinatorLoop(coordinator: coordinator, communicator: world[0])
        loop.payload = payload
        try loop.run()
        group.wait()
        XCTAssertEqual(failures.all, [])
        return store
    }

    func testDistillationThroughTheCoordinatorGivesTheSameReportOnOneOrThreeRanks() throws {
        let dir = try TemporaryDirectory(prefix: "distill")
        let parent = RunDirectory(dir.file("main").path)
        let store = try sweep(Self.spec, in: parent, size: 1)
        var distiller = Distiller(EnsembleBuilder(spec: Self.spec, store: store, run: parent, data: Self.data))
        let ensemble = try distiller.builder.build(top: 3, method: "average", keepAll: true)
        XCTAssertEqual(try distiller.latestEnsemble(), ensemble)

        // The teacher's training-split predictions come from the members' checkpoints, once.
        var recomputed: [Int] = []
        distiller.predictions.onRecompute = { trial, split in XCTAssertEqual(split, .train); recomputed.append(trial) }
        let teacher = try distiller.teacher(ensemble)
        XCTAssertEqual(recomputed, ensemble.members.compactMap(\.trial))
        XCTAssertEqual(try distiller.teacher(ensemble), teacher, "cached: the same teacher")
        XCTAssertEqual(recomputed.count, 3, "the second teacher read the cached train.f32 files")
        XCTAssertEqual(teacher.rows, 240)

        let student = try distiller.student(ensemble)
        let best = try XCTUnwrap(try store.trials().first { $0.index == ensemble.bestSingle.trial })
        XCTAssertEqual(student["width"], .int(8))
        XCTAssertEqual(student["learning_rate"], best.configuration["learning_rate"], "the rest is the best member's")

        let payload = DistillationPayload(student: student, teacher: teacher, trials: 2, epochs: nil)
        XCTAssertEqual(try DistillationPayload.decode(payload.encoded()), payload)
        let distillation = payload.sweep(parent: Self.spec)
        var reports: [DistillationReport] = []
        for size in [1, 3] {
            let run = RunDirectory(parent.url.appendingPathComponent("distill-\(size)").path)
            let students = try sweep(distillation.spec, in: run, size: size, sampler: distillation.makeSampler(),
                                     teacher: teacher, payload: try payload.encoded())
            let trials = try students.trials()
            XCTAssertEqual(trials.map(\.index), [0, 1, 2])
            XCTAssertTrue(trials.allSatisfy { $0.state == .completed && $0.epochs == 4 }, "\(trials.map(\.state))")
            XCTAssertEqual(trials[0].configuration[DistillationSweep.alphaKey]?.doubleValue, 0, "the control")
            reports.append(try distiller.report(ensemble: ensemble, sweep: distillation, store: students, run: run))
        }
        XCTAssertEqual(reports[0], reports[1], "the same students whatever the number of ranks")
        let r = reports[0]
        XCTAssertEqual(r.control.trial, 0)
        XCTAssertTrue([1, 2].contains(r.student.trial ?? -1))
        XCTAssertEqual(r.students.map(\.trial), [1, 2])
        XCTAssertEqual(r.student.params, 8 * 8 + 8 + 8 * 3 + 3, "the student's own (smaller) architecture")
        XCTAssertEqual(r.control.params, r.student.params)
        XCTAssertEqual(r.bestSingle, ensemble.bestSingle)
        XCTAssertEqual(r.costRatio, Double(ensemble.ensemble.flopsPerExample) / Double(r.student.flopsPerExample))
        let stored = try store.ensembles().filter { $0.method == "distilled" }
        XCTAssertEqual(stored.count, 2)
        XCTAssertEqual(try ResultJSON.decode(DistillationReport.self, stored[0].resultJSON), r)
        XCTAssertEqual(try distiller.latestEnsemble(), ensemble, "a distillation record is not an ensemble")
    }

    func testAnEnsembleIsRebuiltFromCheckpointsWhenItsPredictionFilesAreGone() throws {
        let dir = try TemporaryDirectory(prefix: "distill")
        let run = RunDirectory(dir.file("main").path)
        let store = try sweep(Self.spec, in: run, size: 1)
        let builder = EnsembleBuilder(spec: Self.spec, store: store, run: run, data: Self.data)
        let before = try builder.build(top: 3, method: "greedy")
        for t in try store.trials() {
            for kind in ["validation_predictions", "test_predictions"] {
                if let a = try store.artifacts(trial: t.index).first(where: { $0.kind == kind }) { run.remove(a.path) }
            }
        }
        let after = try builder.build(top: 3, method: "greedy")
        XCTAssertEqual(after, before, "reloaded checkpoints predict exactly what the workers stored")
    }

    func testAMissingCheckpointAndPredictionsIsAClearError() throws {
        let dir = try TemporaryDirectory(prefix: "distill")
        let run = RunDirectory(dir.file("main").path)
        let store = try sweep(Self.spec, in: run, size: 1)
        let t = try XCTUnwrap(try store.trials().first)
        for a in try store.artifacts(trial: t.index) { try store.deleteArtifact(trial: t.index, kind: a.kind) }
        let reader = MemberPredictions(spec: Self.spec, store: store, run: run, data: Self.data)
        XCTAssertFalse(try reader.available(t, .validation))
        XCTAssertThrowsError(try reader.probabilities(t, .validation)) { XCTAssertTrue("\($0)".contains("neither validation.f32 nor a checkpoint"), "\($0)") }
    }
}
