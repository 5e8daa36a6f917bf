// Issue 20 end to end with the hpsearch binary (MPISweepTests' helpers): a time budget under
// mpirun -np 3, extensions that equal the larger sweep, stop_when, and repeats.
import Foundation
import Search
import Storage
import XCTest

extension MPISweepTests {
    func writeBudgetSweep(_ name: String, budget: String, extra: String = "", scheduler: String = "none") throws -> String {
        let yaml = """
        name: \(name)
        seed: 3
        data: {source: {csv: {path: data.csv, label: label, test_fraction: 0.2}}, validation: 0.2}
        model: mlp
        metric: {name: val_accuracy}
        budget: \(budget)
        early_stopping: {scheduler: {type: \(scheduler)\(scheduler == "asha" ? ", grace_epochs: 1, reduction_factor: 2" : "")}}
        \(extra)
        parameters:
          learning_rate: {distribution: log_uniform_values, min: 1.0e-4, max: 3.0e-2, default: 1.0e-3}
          width: {values: [8, 16, 32], default: 16}
          depth: {values: [1, 2], default: 1}
          batch_size: {value: 64}
        """
        let path = dir.file("\(name).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func sweepEnvironment(_ run: String) throws -> [String: String] {
        try XCTUnwrap(try SQLiteStore(path: run + "/sweep.db", readOnly: true).sweep()).environment
    }

    func testATimeBudgetEndsTheSweepUnderMPIWithinItsTimeAndResumeExtendsIt() throws {
        let sweep = try writeBudgetSweep("timed", budget: "{time: 6s, max_epochs: 40}")
        let run = dir.file("timed").path
        let started = Date()
        let (status, out, _) = try hpsearch(["run", sweep, "--dir", run], ranks: 3)
        let wall = Date().timeIntervalSince(started)
        XCTAssertEqual(status, 0, "every rank exits 0:\n\(out)")
        XCTAssertTrue(out.contains("time budget 6s spent"), out)
        let store = try SQLiteStore(path: run + "/sweep.db", readOnly: true)
        let trials = try store.trials()
        XCTAssertGreaterThan(trials.count, 3)
        XCTAssertEqual(trials.map(\.index).sorted(), Array(0..<trials.count), "no gap, no trial twice")
        XCTAssertTrue(trials.allSatisfy(\.state.isFinished), "nothing left running or lost: \(trials.map(\.state))")
        let stopped = trials.filter { $0.state == .stopped }
        XCTAssertFalse(stopped.isEmpty, "the trials in flight finish their epoch and are recorded stopped")
        XCTAssertTrue(stopped.allSatisfy { $0.message == "time budget 6s spent" }, "\(stopped.map(\.message))")
        // Within the time plus one epoch (the budget's clock), and the job's wall time with startup.
        let longestEpoch = try store.allEpochs().map(\.seconds).max() ?? 0
        let spent = try XCTUnwrap(Double(try sweepEnvironment(run)["seconds_spent"] ?? ""))
        XCTAssertLessThanOrEqual(spent, 6 + longestEpoch + 0.5, "spent \(spent) s")
        XCTAssertLessThan(wall, 6 + 20, "mpirun ended \(wall) s after it started")
        XCTAssertEqual(try sweepEnvironment(run)["ended"], "time budget 6s spent")
        for t in trials { XCTAssertEqual(try store.epochs(trial: t.index).map(\.epoch), Array(0..<t.epochs).map { $0 + 1 }, "trial \(t.index): each epoch once") }

        // Nothing to do until the budget grows; then new trials, the old ones untouched.
        let (again, againOut, _) = try hpsearch(["resume", run], ranks: nil)
        XCTAssertEqual(again, 0, againOut)
        XCTAssertTrue(againOut.contains("nothing left to run") && againOut.contains("--time"), againOut)
        let before = try summary(run)
        let (more, moreOut, _) = try hpsearch(["resume", run, "--time", "9s"], ranks: 2)
        XCTAssertEqual(more, 0, moreOut)
        let after = try summary(run)
        XCTAssertGreaterThan(after.count, before.count, moreOut)
        XCTAssertEqual(Array(after.prefix(before.count)), before, "the trials already recorded stay as they were")
        XCTAssertEqual(try SQLiteStore(path: run + "/sweep.db", readOnly: true).trials().map(\.index).sorted(), Array(0..<after.count))
        let (low, lowOut, _) = try hpsearch(["resume", run, "--time", "5s"], ranks: nil)
        XCTAssertNotEqual(low, 0)
        XCTAssertTrue(lowOut.contains("--time is the new total"), lowOut)
    }

    func testAnExtendedSweepEqualsOneRunWithTheLargerBudget() throws {
        let small = try writeBudgetSweep("grow", budget: "{trials: 5, max_epochs: 3}")
        let extended = dir.file("extended").path, whole = dir.file("whole").path
        XCTAssertEqual(try hpsearch(["run", small, "--dir", extended], ranks: nil).0, 0)
        let (status, out, _) = try hpsearch(["resume", extended, "--trials", "10"], ranks: 2)
        XCTAssertEqual(status, 0, out)
        XCTAssertTrue(out.contains("extending") && out.contains("10 trials"), out)
        let big = try writeBudgetSweep("grow", budget: "{trials: 10, max_epochs: 3}")
        XCTAssertEqual(try hpsearch(["run", big, "--dir", whole], ranks: nil).0, 0)
        XCTAssertEqual(try summary(extended), try summary(whole), "trials 5–9 are those a 10-trial sweep of the same seed has")
        // The new budget is kept: a plain resume has nothing to do; a smaller total is refused.
        XCTAssertTrue(try hpsearch(["resume", extended], ranks: nil).1.contains("nothing left to run"))
        let (below, belowOut, _) = try hpsearch(["resume", extended, "--trials", "4"], ranks: nil)
        XCTAssertNotEqual(below, 0)
        XCTAssertTrue(belowOut.contains("at least 10"), belowOut)
    }

    func testStopWhenEndsTheSweepAtTheFirstTrialToReachIt() throws {
        let sweep = try writeBudgetSweep("target", budget: "{trials: 40, max_epochs: 30}",
                                         extra: "stop_when: {val_accuracy: 0.45}\ninitial: [defaults, {learning_rate: 3.0e-3, width: 32}]")
        let run = dir.file("target").path
        let (status, out, _) = try hpsearch(["run", sweep, "--dir", run], ranks: 3)
        XCTAssertEqual(status, 0, out)
        let store = try SQLiteStore(path: run + "/sweep.db", readOnly: true)
        let trials = try store.trials()
        XCTAssertLessThan(trials.count, 40, "the target ended it early")
        let ended = try XCTUnwrap(try sweepEnvironment(run)["ended"])
        XCTAssertTrue(ended.hasPrefix("stop_when val_accuracy ≥ 0.45 reached by trial "), ended)
        let reached = try store.allEpochs().filter { $0.validationAccuracy >= 0.45 }
        XCTAssertFalse(reached.isEmpty)
        XCTAssertTrue(trials.allSatisfy(\.state.isFinished))
        // The initial configurations ran first.
        XCTAssertEqual(trials.first { $0.index == 1 }?.configuration["width"], .int(32))
        XCTAssertEqual(trials.first { $0.index == 0 }?.configuration["learning_rate"], .double(1e-3))
        XCTAssertTrue(try hpsearch(["resume", run], ranks: nil).1.contains("ended early"))
    }

    func testRepeatsTrainEachConfigurationWithItsSeedsAndStatusShowsTheirMean() throws {
        let sweep = try writeBudgetSweep("repeats", budget: "{trials: 12, max_epochs: 4}", extra: "repeats: 3", scheduler: "asha")
        let run = dir.file("repeats").path
        let (status, out, _) = try hpsearch(["run", sweep, "--dir", run], ranks: 3)
        XCTAssertEqual(status, 0, out)
        let trials = try SQLiteStore(path: run + "/sweep.db", readOnly: true).trials()
        XCTAssertEqual(trials.count, 12)
        for g in 0..<4 {
            let members = trials.filter { $0.index / 3 == g }
            XCTAssertEqual(Set(members.map(\.configuration)).count, 1, "configuration \(g)'s repeats share it")
            XCTAssertEqual(Set(members.map(\.seed)).count, 3, "each repeat its own seed")
        }
        let (_, text, _) = try hpsearch(["status", run], ranks: nil)
        XCTAssertTrue(text.contains("mean ± standard deviation over 3 repeats"), text)
        let (_, json, _) = try hpsearch(["status", run, "--json"], ranks: nil)
        let start = try XCTUnwrap(json.firstIndex(of: "["))
        let objects = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json[start...].utf8)) as? [[String: Any]])
        for o in objects {
            let index = try XCTUnwrap(o["trial"] as? Int)
            XCTAssertEqual(o["configuration"] as? Int, index / 3)
            let values = trials.filter { $0.index / 3 == index / 3 }.compactMap(\.bestValue)
            XCTAssertEqual(try XCTUnwrap(o["config_mean"] as? Double), values.reduce(0, +) / Double(values.count), accuracy: 1e-12)
            XCTAssertNotNil(o["config_std"] as? Double)
        }
        // Stored by rank 0 as each repeat ended: the same figures.
        let stored = try SQLiteStore(path: run + "/sweep.db", readOnly: true).configurations()
        XCTAssertEqual(stored.map(\.index), [0, 1, 2, 3])
        for c in stored {
            let o = try XCTUnwrap(objects.first { $0["configuration"] as? Int == c.index })
            // (Foundation's JSON parser on Linux can be a few ulp off the printed shortest form.)
            XCTAssertEqual(try XCTUnwrap(c.mean), try XCTUnwrap(o["config_mean"] as? Double), accuracy: 1e-12)
            XCTAssertEqual(try XCTUnwrap(c.standardDeviation), try XCTUnwrap(o["config_std"] as? Double), accuracy: 1e-12)
            XCTAssertEqual(c.repeats, 3)
        }
    }
}
