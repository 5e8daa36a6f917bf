// Issue 20's sweep-file keys: budget.time and trial_time, stop_when, initial and repeats — what
// they parse to, where their errors point, and the samplers and stopper they make.
@testable import Search
import XCTest

final class BudgetSpecTests: XCTestCase {
    static func yaml(budget: String = "{trials: 12, max_epochs: 5}", extra: String = "",
                     width: String = "{values: [8, 16, 32], default: 16}") -> String {
        """
        name: b
        model: mlp
        metric: {name: val_accuracy}
        budget: \(budget)
        \(extra)
        parameters:
          learning_rate: {distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-2, default: 1.0e-3}
          width: \(width)
          optimizer: {values: [adam, sgd], default: adam}
          momentum: {distribution: uniform, min: 0.8, max: 0.99, default: 0.9, when: {optimizer: sgd}}
        """
    }

    func error(_ yaml: String) throws -> SweepSpecError {
        try XCTUnwrap(TestVocabulary.error(yaml))
    }

    func testDurationsReadAndPrintBack() {
        for (text, seconds) in [("90", 90.0), ("90s", 90), ("30m", 1800), ("2h", 7200), ("1h30m", 5400), ("1.5h", 5400), ("2d", 172_800), (" 45S ", 45), ("0.5s", 0.5)] {
            XCTAssertEqual(Budget.seconds(in: text), seconds, text)
            XCTAssertEqual(Budget.seconds(in: Budget.format(seconds: seconds)), seconds, "format(\(seconds)) reads back")
        }
        for bad in ["", "h", "2x", "-5", "0", "0s", "1h30", "soon", "1e400"] { XCTAssertNil(Budget.seconds(in: bad), bad) }
        XCTAssertEqual(Budget.format(seconds: 5400), "1h30m")
        XCTAssertEqual(Budget.format(seconds: 60), "1m")
        XCTAssertEqual(Budget.format(seconds: 0.25), "0.25s")
    }

    func testTimeBudgetsWithAndWithoutATrialCount() throws {
        let both = try TestVocabulary.parse(Self.yaml(budget: "{trials: 500, time: 2h, trial_time: 10m, max_epochs: 30}")).budget
        XCTAssertEqual(both.trials, 500)
        XCTAssertEqual(both.time, 7200)
        XCTAssertEqual(both.trialTime, 600)
        XCTAssertTrue(both.hasTrialLimit)
        XCTAssertEqual(both.summary, "500 trials or 2h")
        let timeOnly = try TestVocabulary.parse(Self.yaml(budget: "{time: 90s, max_epochs: 3}")).budget
        XCTAssertFalse(timeOnly.hasTrialLimit)
        XCTAssertEqual(timeOnly.trials, Budget.unlimitedTrials, "a continuous space: capped at the unlimited count")
        XCTAssertEqual(timeOnly.trialsText, "∞")
        XCTAssertEqual(timeOnly.summary, "1m30s")
        // A wholly discrete space: the time budget stops once every configuration has run.
        let discrete = Self.yaml(budget: "{time: 1h, max_epochs: 3}").replacingOccurrences(
            of: "{distribution: log_uniform_values, min: 1.0e-4, max: 1.0e-2, default: 1.0e-3}", with: "{values: [1.0e-3, 1.0e-2]}")
            .replacingOccurrences(of: "{distribution: uniform, min: 0.8, max: 0.99, default: 0.9, when: {optimizer: sgd}}", with: "{values: [0.9], when: {optimizer: sgd}}")
        XCTAssertEqual(try TestVocabulary.parse(discrete).budget.trials, 12)
        XCTAssertEqual(try TestVocabulary.parse(discrete + "\nrepeats: 2").budget.trials, 24)
        XCTAssertEqual(try TestVocabulary.parse(Self.yaml()).budget, Budget(trials: 12, maxEpochs: 5))
    }

    func testBadBudgetsSayWhereAndWhatToWrite() throws {
        let none = try error(Self.yaml(budget: "{max_epochs: 5}"))
        XCTAssertEqual(none.location.line, 4)
        XCTAssertTrue(none.message.contains("time:"), none.message)
        let bad = try error(Self.yaml(budget: "{time: soon, max_epochs: 5}"))
        XCTAssertEqual([bad.location.line, bad.location.column], [4, 16])
        XCTAssertTrue(bad.message.contains("90s, 30m, 2h") && bad.message.contains("'soon'"), bad.message)
        XCTAssertTrue(try error(Self.yaml(budget: "{trials: 4, trial_time: [1], max_epochs: 5}")).message.contains("duration"))
        XCTAssertTrue(try error(Self.yaml(budget: "{trials: 4, time: 0, max_epochs: 5}")).message.contains("got '0'"))
    }

    func testStopWhenTakesTheMetricsDirection() throws {
        let spec = try TestVocabulary.parse(Self.yaml(extra: "stop_when: {val_accuracy: 0.92, val_loss: 0.2}"))
        XCTAssertEqual(spec.stopWhen.map(\.metric.goal), [.maximize, .minimize])
        XCTAssertEqual(spec.stopWhen[0].description, "val_accuracy ≥ 0.92")
        XCTAssertTrue(spec.stopWhen[0].isReached(by: 0.92))
        XCTAssertFalse(spec.stopWhen[0].isReached(by: 0.9199))
        XCTAssertTrue(spec.stopWhen[1].isReached(by: 0.19))
        XCTAssertFalse(spec.stopWhen[1].isReached(by: .nan))
        let unknown = try error(Self.yaml(extra: "stop_when: {val_acc: 0.9}"))
        XCTAssertEqual(unknown.location.line, 5)
        XCTAssertTrue(unknown.message.contains("'val_acc'") && unknown.message.contains("stop_when"), unknown.message)
        XCTAssertTrue(try error(Self.yaml(extra: "stop_when: {}")).message.contains("e.g."))
        XCTAssertTrue(try error(Self.yaml(extra: "stop_when: {val_accuracy: .nan}")).message.contains("finite"))
    }

    func testInitialConfigurationsAreCompleteCheckedAndFirst() throws {
        let spec = try TestVocabulary.parse(Self.yaml(extra: "initial: [defaults, {learning_rate: 3.0e-3, width: 32}, {optimizer: sgd}]"))
        XCTAssertEqual(spec.initial.count, 3)
        XCTAssertEqual(spec.initial[0], spec.defaultConfiguration())
        XCTAssertEqual(spec.initial[1]["learning_rate"], .double(3e-3))
        XCTAssertEqual(spec.initial[1]["width"], .int(32))
        XCTAssertEqual(spec.initial[1]["optimizer"], .string("adam"), "the rest are defaults")
        XCTAssertNil(spec.initial[1]["momentum"], "inactive under adam")
        XCTAssertEqual(spec.initial[2]["momentum"], .double(0.9), "newly active: its default")
        var sampler = makeSampler(for: spec)
        let all = try (0..<12).map { try sampler.assignment($0).configuration }
        XCTAssertEqual(Array(all.prefix(3)), spec.initial)
        XCTAssertEqual(Set(all).count, 12, "never sampled again")
        // Errors point at the entry, in the sweep file's words.
        let unknown = try error(Self.yaml(extra: "initial: [{lr: 3.0e-3}]"))
        XCTAssertEqual([unknown.location.line, unknown.location.column], [5, 12])
        XCTAssertTrue(unknown.message.contains("'lr'") && unknown.message.contains("learning_rate"), unknown.message)
        let outside = try error(Self.yaml(extra: "initial:\n  - defaults\n  - {width: 12}"))
        XCTAssertEqual(outside.location.line, 7)
        XCTAssertTrue(outside.message.contains("initial[1]") && outside.message.contains("width"), outside.message)
        XCTAssertFalse(outside.message.contains("--set"), outside.message)
        let inactive = try error(Self.yaml(extra: "initial: [{momentum: 0.95}]"))
        XCTAssertTrue(inactive.message.contains("'momentum' is inactive because optimizer is adam") && inactive.message.contains("optimizer=sgd"),
                      inactive.message)
        XCTAssertTrue(try error(Self.yaml(extra: "initial: [defaults, {learning_rate: 1.0e-3}]")).message.contains("same configuration as initial[0]"))
        XCTAssertTrue(try error(Self.yaml(extra: "initial: [later]")).message.contains("`defaults`"))
        XCTAssertTrue(try error(Self.yaml(budget: "{trials: 1, max_epochs: 2}", extra: "initial: [defaults, {width: 8}]"))
                        .message.contains("more than budget.trials (1)"))
    }

    func testRepeatsGiveEachConfigurationItsSeeds() throws {
        let spec = try TestVocabulary.parse(Self.yaml(extra: "repeats: 3\ninitial: [defaults]"))
        XCTAssertEqual(spec.repeats, 3)
        var repeated = makeSampler(for: spec)
        var plain = makeSampler(for: try TestVocabulary.parse(Self.yaml(extra: "initial: [defaults]")))
        var seeds = Set<UInt64>()
        for i in 0..<12 {
            let a = try repeated.assignment(i)
            XCTAssertEqual(a.configuration, try plain.assignment(i / 3).configuration, "trial \(i) trains configuration \(i / 3)")
            XCTAssertEqual(a.seed, TrialAssignment.trainingSeed(sweepSeed: 0, index: i))
            seeds.insert(a.seed)
        }
        XCTAssertEqual(seeds.count, 12)
        XCTAssertEqual(spec.configurationIndex(ofTrial: 7), 2)
        let uneven = try error(Self.yaml(budget: "{trials: 10, max_epochs: 5}", extra: "repeats: 3"))
        XCTAssertTrue(uneven.message.contains("multiple of repeats (3): 9 or 12"), uneven.message)
        XCTAssertTrue(try error(Self.yaml(extra: "repeats: 0")).message.contains("1"))
    }

    /// Records what the wrapped stopper is told.
    struct Recorder: Stopper {
        var log: [String] = []
        var stopAt: (trial: Int, epoch: Int)?
        mutating func report(trial: Int, epoch: Int, value: Double) -> StopDecision {
            log.append("\(trial).\(epoch)=\(value)")
            return stopAt.map { $0.trial == trial && $0.epoch == epoch } == true ? .stop(reason: "test") : .continue
        }
        mutating func finished(trial: Int, epochs: Int) { log.append("finished \(trial) after \(epochs)") }
        func maxEpochs(trial: Int) -> Int { 5 }
    }

    func testTheStopperJudgesTheMeanOfTheRepeats() throws {
        var s = RepeatAveragingStopper(base: Recorder(stopAt: (1, 2)), repeats: 2)
        XCTAssertEqual(s.report(trial: 0, epoch: 1, value: 1), .continue)
        XCTAssertEqual(s.report(trial: 0, epoch: 2, value: 3), .continue, "trial 1 has not reported epoch 1: nothing judged yet")
        XCTAssertEqual(s.report(trial: 1, epoch: 1, value: 2), .continue)
        XCTAssertEqual(s.report(trial: 2, epoch: 1, value: 0.5), .continue)
        XCTAssertEqual(s.report(trial: 3, epoch: 1, value: 1.5), .continue)
        // Trial 3 completes configuration 1's epoch 2 mean… after trial 2 reports it.
        XCTAssertEqual(s.report(trial: 3, epoch: 2, value: 1), .continue)
        XCTAssertTrue(s.report(trial: 2, epoch: 2, value: 2).isStop, "the report completing the mean gets the base's stop")
        XCTAssertTrue(s.report(trial: 3, epoch: 3, value: 1).isStop, "the other repeat stops at its next report")
        XCTAssertEqual(s.report(trial: 3, epoch: 5, value: 1), .continue, "never a stop at the last epoch")
        // Configuration 0: trial 1 ends after epoch 1; epoch 2's mean is trial 0's alone.
        s.finished(trial: 1, epochs: 1)
        XCTAssertEqual(s.report(trial: 0, epoch: 3, value: 4), .continue)
        s.finished(trial: 0, epochs: 3)
        let base = try XCTUnwrap(Mirror(reflecting: s).children.first { $0.label == "base" }?.value as? Recorder)
        XCTAssertEqual(base.log, ["0.1=1.5", "1.1=1.0", "1.2=1.5", "0.2=3.0", "0.3=4.0", "finished 0 after 3"])
        XCTAssertEqual(s.maxEpochs(trial: 9), 5)
    }
}
