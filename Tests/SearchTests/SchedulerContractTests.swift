// The scheduler registry's contract, checked for every family in `Schedulers.all`: unique names
// that parse in both forms, defaults that round-trip, keys read with their bounds and refused by
// the families that do not take them, and stoppers that are deterministic, stay within the budget
// and never stop a trial at or after its last epoch. A new family gets all of this by registering.
import XCTest
@testable import Search

final class SchedulerContractTests: XCTestCase {
    func sweep(_ scheduler: String, maxEpochs: Int = 27, metric: String = "val_loss") -> String {
        """
        name: contract
        model: mlp
        metric: {name: \(metric)}
        budget: {trials: 10, max_epochs: \(maxEpochs)}
        early_stopping: {scheduler: \(scheduler)}
        parameters:
          depth: {min: 1, max: 4}
        """
    }

    func scheduler(_ text: String, maxEpochs: Int = 27) throws -> SchedulerSpec {
        try TestVocabulary.parse(sweep(text, maxEpochs: maxEpochs)).earlyStopping.scheduler
    }

    func testTheRegistryHoldsTheFourFamiliesInOrder() {
        XCTAssertEqual(Schedulers.names, ["none", "median", "asha", "hyperband"])
        XCTAssertEqual(Schedulers.names("or"), "none, median, asha or hyperband")
        XCTAssertEqual(Schedulers.keyNames, ["grace_epochs", "min_trials", "reduction_factor", "brackets"])
        XCTAssertEqual(SchedulerSpec.asha(graceEpochs: 1, reductionFactor: 3).description, "asha(grace_epochs: 1, reduction_factor: 3)")
        XCTAssertEqual(SchedulerSpec.none.description, "none")
        XCTAssertEqual(SchedulerSpec.hyperband(graceEpochs: 2, reductionFactor: 3, brackets: nil).yaml,
                       "{type: hyperband, grace_epochs: 2, reduction_factor: 3}")
    }

    func testNamesAreUniqueAndEachParsesInBothForms() throws {
        XCTAssertEqual(Set(Schedulers.names).count, Schedulers.all.count, "scheduler names must be unique")
        for family in Schedulers.all {
            XCTAssertFalse(family.summary.isEmpty, family.name)
            XCTAssertFalse(family.summary.contains("\n"), "\(family.name): the summary is one line")
            XCTAssertEqual(Set(family.keys.map(\.name)).count, family.keys.count, "\(family.name): keys must be unique")
            XCTAssertFalse(family.keys.contains { $0.name == "type" }, family.name)
            XCTAssertTrue(Schedulers.named(family.name).map { $0.name == family.name } ?? false)
            let scalar = try scheduler(family.name), mapping = try scheduler("{type: \(family.name)}")
            XCTAssertEqual(scalar, family.defaults, family.name)
            XCTAssertEqual(mapping, family.defaults, family.name)
            XCTAssertEqual(scalar.type, family.name)
        }
        XCTAssertNil(Schedulers.named("pbt"))
    }

    func testDefaultsAndExamplesRoundTrip() throws {
        for family in Schedulers.all {
            let defaults = family.defaults
            for key in family.keys {
                XCTAssertEqual(defaults[key], key.defaultValue, "\(family.name).\(key.name)")
                XCTAssertGreaterThanOrEqual(key.defaultValue ?? key.minimum, key.minimum, "\(family.name).\(key.name)")
            }
            XCTAssertEqual(try scheduler(defaults.yaml), defaults, defaults.yaml)
            // Every default written out explicitly means the same as leaving it out.
            let explicit = family.keys.compactMap { key in key.defaultValue.map { "\(key.name): \($0)" } }
            XCTAssertEqual(try scheduler("{" + (["type: \(family.name)"] + explicit).joined(separator: ", ") + "}"), defaults)
            // `simulate`'s settings are valid ones.
            let example = SchedulerSpec(family, family.example)
            XCTAssertEqual(try scheduler(example.yaml), example, example.yaml)
            XCTAssertEqual(SchedulerSpec(family, defaults.settings), defaults)
        }
    }

    func testEachKeyIsReadWithItsBoundsAndOnlyByItsFamilies() {
        for family in Schedulers.all {
            for key in family.keys {
                let low = TestVocabulary.error(sweep("{type: \(family.name), \(key.name): \(key.minimum - 1)}"))
                XCTAssertEqual(low?.message, "'early_stopping.scheduler.\(key.name)' must be at least \(key.minimum), got \(key.minimum - 1)")
                let float = TestVocabulary.error(sweep("{type: \(family.name), \(key.name): 2.5}"))
                XCTAssertEqual(float?.message, "expected an integer for 'early_stopping.scheduler.\(key.name)', got the number 2.5")
                let top = TestVocabulary.error(sweep("{type: \(family.name), \(key.name): 6}", maxEpochs: 5))
                if let reason = key.maxEpochsBound {
                    XCTAssertEqual(top?.message, "'early_stopping.scheduler.\(key.name)' (6) must be at most budget.max_epochs (5), or \(reason)")
                } else {
                    XCTAssertEqual(try scheduler("{type: \(family.name), \(key.name): 6}", maxEpochs: 5)[key], 6)
                }
            }
            let takes = family.keys.map(\.name)
            for other in Schedulers.keyNames where !takes.contains(other) {
                let error = TestVocabulary.error(sweep("{type: \(family.name), \(other): 2}"))
                XCTAssertEqual(error?.message, "key '\(other)' does not apply to scheduler '\(family.name)', which takes "
                               + (takes.isEmpty ? "no other keys" : YAMLField.list(takes, "and")))
                XCTAssertEqual(error?.location.column, "early_stopping: {scheduler: {type: \(family.name), ".count + 1, "at the key")
            }
        }
    }

    /// Drives `stopper` like rank 0 with up to 8 trials running at once, 60 trials in all, each
    /// reporting its epochs in order until stopped or at `maxEpochs(trial:)`; some values are NaN.
    /// Returns every decision as "trial.epoch: decision".
    func drive(_ stopper: inout any Stopper, maxEpochs: Int, seed: UInt64) -> [String] {
        var rng = SearchRandom(seed: seed)
        var log: [String] = [], running: [Int: Int] = [:], next = 0
        while next < 60 || !running.isEmpty {
            while running.count < 8 && next < 60 { running[next] = 0; next += 1 }
            let trial = running.keys.sorted()[Int(rng.next() % UInt64(running.count))]
            let epoch = running[trial]! + 1
            let budget = stopper.maxEpochs(trial: trial)
            XCTAssertGreaterThanOrEqual(budget, 1)
            XCTAssertLessThanOrEqual(budget, maxEpochs, "maxEpochs(trial:) within the budget")
            let level = 0.2 + Double(SearchRandom.hash(seed, UInt64(trial)) % 1000) / 1000
            let value = rng.next() % 50 == 0 ? Double.nan : level + 1 / Double(epoch) + rng.nextUniform() / 10
            let decision = stopper.report(trial: trial, epoch: epoch, value: value)
            log.append("\(trial).\(epoch): \(decision)")
            if decision.isStop {
                XCTAssertLessThan(epoch, budget, "stopped trial \(trial) at or after its last epoch")
            }
            if decision.isStop || epoch >= budget {
                stopper.finished(trial: trial, epochs: epoch)
                running[trial] = nil
            } else {
                running[trial] = epoch
            }
        }
        return log
    }

    func testEveryStopperKeepsTheContract() throws {
        for family in Schedulers.all {
            for settings in [family.defaults, SchedulerSpec(family, family.example)] {
                for maxEpochs in [1, 2, 9, 27] where (settings[.graceEpochs] ?? 1) <= maxEpochs {
                    for goal in [Goal.minimize, .maximize] {
                      // repeats: 3 — the same stopper judging each configuration's mean (RepeatAveragingStopper).
                      for repeats in [1, 3] {
                        let context = "\(settings), max_epochs \(maxEpochs), \(goal), repeats \(repeats)"
                        func fresh() -> any Stopper {
                            let base = settings.make(goal: goal, maxEpochs: maxEpochs) ?? NoStopper(maxEpochs: maxEpochs)
                            return repeats > 1 ? RepeatAveragingStopper(base: base, repeats: repeats) : base
                        }
                        var a = fresh(), b = fresh()
                        let first = drive(&a, maxEpochs: maxEpochs, seed: 5), second = drive(&b, maxEpochs: maxEpochs, seed: 5)
                        XCTAssertEqual(first, second, "deterministic: \(context)")
                        XCTAssertFalse(first.isEmpty, context)
                      }
                    }
                }
            }
        }
    }

    func testTheSpecMakesItsFamilysStopper() throws {
        XCTAssertNil(SchedulerSpec.none.make(goal: .minimize, maxEpochs: 9))
        let median = try XCTUnwrap(SchedulerSpec.median(graceEpochs: 2, minTrials: 4).make(goal: .maximize, maxEpochs: 9) as? MedianStopper)
        XCTAssertEqual([median.graceEpochs, median.minTrials, median.maxEpochs], [2, 4, 9])
        XCTAssertEqual(median.goal, .maximize)
        let asha = try XCTUnwrap(SchedulerSpec.asha(graceEpochs: 2, reductionFactor: 4).make(goal: .minimize, maxEpochs: 9) as? ASHAStopper)
        XCTAssertEqual([asha.graceEpochs, asha.reductionFactor], [2, 4])
        let hb = try XCTUnwrap(SchedulerSpec.hyperband(graceEpochs: 1, reductionFactor: 3, brackets: 2).make(goal: .minimize, maxEpochs: 27)
                               as? HyperbandStopper)
        XCTAssertEqual(hb.brackets.map(\.s), [3, 2])
        let all = try XCTUnwrap(SchedulerSpec.hyperband(graceEpochs: 1, reductionFactor: 3, brackets: nil).make(goal: .minimize, maxEpochs: 27)
                                as? HyperbandStopper)
        XCTAssertEqual(all.brackets.map(\.s), [3, 2, 1, 0])
    }

    func testTheDocsTableListsEveryFamilyAndKey() {
        let table = Schedulers.markdownTable()
        XCTAssertEqual(Schedulers.documentation.map(\.name), Schedulers.names)
        for family in Schedulers.all {
            XCTAssertTrue(table.contains("| `\(family.name)` | \(family.summary) |"), family.name)
            for key in family.keys { XCTAssertTrue(table.contains("`\(key.name)` (\(key.constraints))"), key.name) }
        }
        XCTAssertEqual(SchedulerKey.graceEpochs.constraints, "integer ≥ 1, ≤ budget.max_epochs; default 1")
        XCTAssertEqual(HyperbandScheduler.brackets.constraints, "integer ≥ 1; optional")
    }
}
