// The simulator drives the real coordinator: every trial is accounted for in the store, runs are
// deterministic, early stopping spends fewer epochs than the full budget, and the curve family's
// best floor is where the documentation says.
import Foundation
import Search
import Storage
import TestSupport
import XCTest
@testable import Coordinator
@testable import Training

final class SweepSimulationTests: XCTestCase {
    func spec(_ scheduler: String, trials: Int) throws -> SweepSpec {
        try SweepSpec.parse(yaml: """
        name: sim
        seed: 4
        model: mlp
        budget: {trials: \(trials), max_epochs: 9}
        early_stopping: {scheduler: \(scheduler)}
        parameters:
          learning_rate: {distribution: log_uniform_values, min: 1.0e-5, max: 1.0e-1}
          width: {distribution: q_log_uniform_values, min: 16, max: 4096, q: 16}
        """, file: "sim.yaml", vocabulary: TrainingConfig.vocabulary)
    }

    func simulate(_ scheduler: String, trials: Int = 600, store: any Store = InMemoryStore(), dir: TemporaryDirectory) throws -> (SweepSimulation.Result, any Store) {
        let run = RunDirectory(dir.file(UUID().uuidString).path)
        try run.create()
        let result = try SweepSimulation(spec: spec(scheduler, trials: trials), store: store, run: run, workers: 40).run()
        return (result, store)
    }

    func testEveryTrialIsAccountedForAndRunsAreDeterministic() throws {
        let dir = try TemporaryDirectory(prefix: "simulate")
        let run = RunDirectory(dir.file("sqlite").path)
        try run.create()
        let sqlite = try SQLiteStore(path: run.storePath)
        let (r, store) = try simulate("{type: asha, grace_epochs: 1, reduction_factor: 3}", store: sqlite, dir: dir)
        let trials = try store.trials()
        XCTAssertEqual(trials.map(\.index), Array(0..<600))
        XCTAssertTrue(trials.allSatisfy { $0.state == .completed || $0.state == .pruned })
        XCTAssertTrue(trials.contains { $0.state == .pruned })
        XCTAssertEqual(try store.allEpochs().count, r.epochsSpent)
        XCTAssertEqual(r.reports, r.epochsSpent)
        let again = try simulate("{type: asha, grace_epochs: 1, reduction_factor: 3}", dir: dir).0
        XCTAssertEqual([again.epochsSpent, again.trials], [r.epochsSpent, r.trials])
        XCTAssertEqual(again.finalRegret, r.finalRegret)
        XCTAssertEqual(again.virtualSeconds, r.virtualSeconds)
    }

    func testEarlyStoppingSpendsFewerEpochsThanTheFullBudget() throws {
        let dir = try TemporaryDirectory(prefix: "simulate")
        let none = try simulate("{type: none}", dir: dir).0
        let asha = try simulate("{type: asha, grace_epochs: 1, reduction_factor: 3}", dir: dir).0
        XCTAssertEqual(none.epochsSpent, none.epochsFullBudget, "no scheduler: every trial trains to the end")
        XCTAssertLessThan(asha.epochsSpent, none.epochsSpent / 3)
        XCTAssertLessThan(asha.virtualSeconds, none.virtualSeconds)
        XCTAssertGreaterThanOrEqual(none.finalRegret, none.sampledRegret, "no pick beats the best floor sampled")
        // After 9 epochs the curves are not converged (the gap term is still ≥ 0.8·9^−1.6 ≈ 0.024),
        // so the pick may miss the best floor by a few hundredths — a random pick by ~0.1–0.3.
        XCTAssertLessThan(none.finalRegret, none.sampledRegret + 0.05, "the best observed value picks a near-best floor")
    }

    func testTheCurveFamilysOptimum() {
        let best = SweepSimulation.Curve(Configuration(["learning_rate": .double(pow(10, -2.7)), "width": .double(pow(2, 8.5))]), seed: 1)
        XCTAssertEqual(best.floor, SweepSimulation.Curve.optimum, accuracy: 1e-12)
        let worse = SweepSimulation.Curve(Configuration(["learning_rate": .double(1e-5), "width": .int(16)]), seed: 1)
        XCTAssertGreaterThan(worse.floor, best.floor + 0.3)
        XCTAssertGreaterThan(best.value(epoch: 1), best.value(epoch: 27), "curves fall")
    }
}
