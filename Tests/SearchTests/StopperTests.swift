// Stoppers: scripted learning curves with hand-worked decisions, Hyperband's table, patience with
// the trainer's semantics, maximised metrics, rank 0's stopper from the spec, and the sorted
// multiset under them.
import XCTest
@testable import Search

final class StopperTests: XCTestCase {
    // MARK: ASHA

    func testASHAOnScriptedCurves() {
        // grace 1, η 3, 10 epochs: rungs at epochs 1, 3, 9 (27 > 10).
        var asha = ASHAStopper(graceEpochs: 1, reductionFactor: 3, maxEpochs: 10)
        XCTAssertEqual(asha.rungs, [1, 3, 9])
        // Rung 1, values in arrival order; keep k = max(1, ⌊n/3⌋) best, the trial's own value included.
        //   t0 0.50: n 1, k 1, best 0.50            → continue (it is the best)
        //   t1 0.60: n 2, k 1, best 0.50            → stop
        //   t2 0.40: n 3, k 1, best 0.40            → continue
        //   t3 0.45: n 4, k 1, cut-off 0.40         → stop
        //   t4 0.55: n 5, k 1, cut-off 0.40         → stop
        //   t5 0.42: n 6, k 2, [0.40, 0.42, …]      → continue (equal to the cut-off)
        //   t6 0.44: n 7, k 2, cut-off 0.42         → stop
        XCTAssertEqual(asha.report(trial: 0, epoch: 1, value: 0.50), .continue)
        XCTAssertEqual(asha.report(trial: 1, epoch: 1, value: 0.60), .stop(reason:
            "ASHA rung 1 (epoch 1): 0.6 is worse than the best 0.5 of the 2 trials there so far (with fewer than 3, only the best continues)"))
        XCTAssertEqual(asha.report(trial: 2, epoch: 1, value: 0.40), .continue)
        XCTAssertTrue(asha.report(trial: 3, epoch: 1, value: 0.45).isStop)
        XCTAssertTrue(asha.report(trial: 4, epoch: 1, value: 0.55).isStop)
        XCTAssertEqual(asha.report(trial: 5, epoch: 1, value: 0.42), .continue)
        XCTAssertEqual(asha.report(trial: 6, epoch: 1, value: 0.44),
                       .stop(reason: "ASHA rung 1 (epoch 1): 0.44 not in the top 1/3 of 7 trials (cut-off 0.42)"))
        XCTAssertEqual(asha.recordedCount(rung: 0), 7)
        // Between rungs nothing is decided, however bad.
        XCTAssertEqual(asha.report(trial: 0, epoch: 2, value: 9.0), .continue)
        // Rung 2 (epoch 3): t0 0.46 (n 1) continues; t2 0.30 (n 2, best) continues; t5 0.35 (n 3,
        // k ⌊3/3⌋ = 1, cut-off 0.30) stops.
        XCTAssertEqual(asha.report(trial: 0, epoch: 3, value: 0.46), .continue)
        XCTAssertEqual(asha.report(trial: 2, epoch: 3, value: 0.30), .continue)
        XCTAssertEqual(asha.report(trial: 5, epoch: 3, value: 0.35),
                       .stop(reason: "ASHA rung 2 (epoch 3): 0.35 not in the top 1/3 of 3 trials (cut-off 0.3)"))
        // A repeated report at a recorded rung continues (the decision was made), as in Ray.
        XCTAssertEqual(asha.report(trial: 5, epoch: 3, value: 0.99), .continue)
        XCTAssertEqual(asha.recordedCount(rung: 1), 3)
        // Rung 3 (epoch 9) with one trial; the last epoch never stops.
        XCTAssertEqual(asha.report(trial: 2, epoch: 9, value: 0.20), .continue)
        XCTAssertEqual(asha.report(trial: 0, epoch: 9, value: 0.25), .stop(reason:
            "ASHA rung 3 (epoch 9): 0.25 is worse than the best 0.2 of the 2 trials there so far (with fewer than 3, only the best continues)"))
        XCTAssertEqual(asha.report(trial: 2, epoch: 10, value: 5.0), .continue)
        XCTAssertEqual(asha.maxEpochs(trial: 2), 10)
    }

    func testASHAMaximizesWhenTheGoalSaysSo() {
        // Accuracy: higher is better. Rung 1 of grace 2, η 2, 8 epochs (rungs 2, 4).
        var asha = ASHAStopper(graceEpochs: 2, reductionFactor: 2, goal: .maximize, maxEpochs: 8)
        XCTAssertEqual(asha.rungs, [2, 4])
        //   a 0.80: n 1 → continue; b 0.70: n 2, k 1, best 0.80 → stop; c 0.90: n 3, k 1 → continue;
        //   d 0.85: n 4, k 2, [0.90, 0.85, …] → continue; e 0.75: n 5, k 2, cut-off 0.85 → stop.
        XCTAssertEqual(asha.report(trial: 0, epoch: 1, value: 0.1), .continue)  // before the first rung
        XCTAssertEqual(asha.report(trial: 0, epoch: 2, value: 0.80), .continue)
        XCTAssertTrue(asha.report(trial: 1, epoch: 2, value: 0.70).isStop)
        XCTAssertEqual(asha.report(trial: 2, epoch: 2, value: 0.90), .continue)
        XCTAssertEqual(asha.report(trial: 3, epoch: 2, value: 0.85), .continue)
        XCTAssertEqual(asha.report(trial: 4, epoch: 2, value: 0.75),
                       .stop(reason: "ASHA rung 1 (epoch 2): 0.75 not in the top 1/2 of 5 trials (cut-off 0.85)"))
        // A trial that skipped epochs (resumed from a checkpoint) counts for the highest rung reached.
        XCTAssertEqual(asha.report(trial: 5, epoch: 5, value: 0.95), .continue)
        XCTAssertEqual(asha.recordedCount(rung: 1), 1)
        XCTAssertEqual(asha.recordedCount(rung: 0), 5)
    }

    /// ASHA's decision recomputed from scratch: sort every value recorded at the rung.
    func testASHAAgreesWithANaiveReferenceOnManyTrials() {
        var asha = ASHAStopper(graceEpochs: 1, reductionFactor: 3, maxEpochs: 30)
        var recorded: [Int: [Double]] = [:]
        var rng = SearchRandom(seed: 2024)
        var epochOf = [Int](repeating: 0, count: 3000), alive = Array(0..<3000)
        var stops = 0
        while !alive.isEmpty {
            let j = Int(rng.next() % UInt64(alive.count)), t = alive[j]
            epochOf[t] += 1
            let e = epochOf[t]
            // Curves that improve with epochs, plus a trial effect and noise; ties on purpose.
            let v = (Double(t % 97) / 97 + 1) / Double(e) + Double(rng.next() % 8) / 100
            let decision = asha.report(trial: t, epoch: e, value: v)
            var expected = StopDecision.continue
            if let k = asha.rungs.firstIndex(of: e) {
                var sorted = recorded[k, default: []]
                sorted.insert(v, at: sorted.firstIndex { $0 > v } ?? sorted.count)
                recorded[k] = sorted
                if v > sorted[max(1, sorted.count / 3) - 1] { expected = .stop(reason: "") }
            }
            XCTAssertEqual(decision.isStop, expected.isStop, "trial \(t) epoch \(e)")
            if decision.isStop || e == 30 {
                alive.remove(at: j)
                stops += decision.isStop ? 1 : 0
            }
        }
        XCTAssertGreaterThan(stops, 2000)
        XCTAssertEqual(asha.recordedCount(rung: 0), 3000)
    }

    // MARK: Median

    func testMedianRuleOnScriptedCurves() {
        // grace 2, at least 2 other trials, 10 epochs. Running averages (mean of epochs 1…e):
        //   A 1.0 0.8 0.6 0.5   → e2 0.9,  e3 0.8,    e4 0.725
        //   B 0.9 0.7 0.6 0.6   → e2 0.8,  e3 0.7333, e4 0.7
        //   C 1.2 1.0           → e2 1.1
        var median = MedianStopper(graceEpochs: 2, minTrials: 2, maxEpochs: 10)
        func run(_ trial: Int, _ values: [Double]) -> [StopDecision] {
            values.enumerated().map { median.report(trial: trial, epoch: $0 + 1, value: $1) }
        }
        // A and B never face 2 other trials at any epoch: all continue.
        XCTAssertEqual(run(0, [1.0, 0.8, 0.6, 0.5]), Array(repeating: .continue, count: 4))
        XCTAssertEqual(run(1, [0.9, 0.7, 0.6, 0.6]), Array(repeating: .continue, count: 4))
        // C at epoch 1: before the grace period. At epoch 2: median of A 0.9 and B 0.8 is 0.85;
        // C's best 1.0 is worse → stop.
        XCTAssertEqual(median.report(trial: 2, epoch: 1, value: 1.2), .continue)
        XCTAssertEqual(median.report(trial: 2, epoch: 2, value: 1.0), .stop(reason:
            "median rule at epoch 2: best 1 is worse than 0.85, the median of 2 other trials' running averages"))
        // D 1.0 0.82 0.7 0.78:
        //   e2: others A 0.9, B 0.8, C 1.1 → median 0.9;    best 0.82 → continue
        //   e3: others A 0.8, B 0.7333    → median 0.7667; best 0.7  → continue
        //   e4: others A 0.725, B 0.7     → median 0.7125; best 0.7  → continue, although D's own
        //       running average (0.825) is worse: the rule compares the best value.
        XCTAssertEqual(run(3, [1.0, 0.82, 0.7, 0.78]), Array(repeating: .continue, count: 4))
        // E 0.95 0.9 0.85:
        //   e2: others A 0.9, B 0.8, C 1.1, D 0.91 → median (0.9 + 0.91)/2 = 0.905; best 0.9 → continue
        //   e3: others A 0.8, B 0.7333, D 0.84     → median 0.8; best 0.85 → stop
        XCTAssertEqual(median.report(trial: 4, epoch: 1, value: 0.95), .continue)
        XCTAssertEqual(median.report(trial: 4, epoch: 2, value: 0.90), .continue)
        XCTAssertEqual(median.report(trial: 4, epoch: 3, value: 0.85), .stop(reason:
            "median rule at epoch 3: best 0.85 is worse than 0.8, the median of 3 other trials' running averages"))
        XCTAssertEqual(median.trialsReached(epoch: 2), 5)
        XCTAssertEqual(median.trialsReached(epoch: 3), 4)
        XCTAssertEqual(median.trialsReached(epoch: 1), 0)  // before the grace period: not kept
    }

    func testMedianRuleMaximizesAndSparesTheLastEpoch() {
        // Accuracy over 3 epochs, grace 1, min 1 other trial.
        var median = MedianStopper(graceEpochs: 1, minTrials: 1, goal: .maximize, maxEpochs: 3)
        XCTAssertEqual(median.report(trial: 0, epoch: 1, value: 0.6), .continue)
        XCTAssertEqual(median.report(trial: 0, epoch: 2, value: 0.8), .continue)
        // Trial 1 at epoch 1: 0.7 beats trial 0's 0.6 → continue. Epoch 2: 0.65, best 0.7 against
        // trial 0's running average (0.6 + 0.8)/2 = 0.7: not strictly worse → continue.
        XCTAssertEqual(median.report(trial: 1, epoch: 1, value: 0.7), .continue)
        XCTAssertEqual(median.report(trial: 1, epoch: 2, value: 0.65), .continue)
        // Trial 2: 0.5 at epoch 1, worse than the median of 0.6 and 0.7 (0.65) → stop.
        XCTAssertEqual(median.report(trial: 2, epoch: 1, value: 0.5), .stop(reason:
            "median rule at epoch 1: best 0.5 is worse than 0.65, the median of 2 other trials' running averages"))
        // Epoch 3 is the last: a trial that gets there is complete, never pruned.
        XCTAssertEqual(median.report(trial: 1, epoch: 3, value: 0.1), .continue)
    }

    // MARK: Hyperband

    func testHyperbandBracketsMatchThePaper() {
        // Li et al. 2018, Table 1 (R = 81, η = 3): (s, n, r).
        let table = Hyperband.brackets(maxEpochs: 81, grace: 1, eta: 3)
        XCTAssertEqual(table.map(\.s), [4, 3, 2, 1, 0])
        XCTAssertEqual(table.map(\.trials), [81, 34, 15, 8, 5])
        XCTAssertEqual(table.map(\.epochs), [1, 3, 9, 27, 81])
        // R/r not a power of η: s_max = ⌊log₃ 30⌋ = 3; n = ⌈4/(s+1)·3ˢ⌉; r_s = 1·3^(3−s).
        let odd = Hyperband.brackets(maxEpochs: 30, grace: 1, eta: 3)
        XCTAssertEqual(odd.map(\.s), [3, 2, 1, 0])
        XCTAssertEqual(odd.map(\.trials), [27, 12, 6, 4])
        XCTAssertEqual(odd.map(\.epochs), [1, 3, 9, 27])
        // The grace is the most aggressive bracket's: r = 2, R = 30 → s_max = ⌊log₃ 15⌋ = 2.
        XCTAssertEqual(Hyperband.brackets(maxEpochs: 30, grace: 2, eta: 3).map(\.epochs), [2, 6, 18])
        // A larger grace shortens the table: r = 3 → s_max = ⌊log₃ 27⌋ = 3.
        XCTAssertEqual(Hyperband.brackets(maxEpochs: 81, grace: 3, eta: 3).map(\.epochs), [3, 9, 27, 81])
        XCTAssertEqual(Hyperband.brackets(maxEpochs: 5, grace: 5, eta: 3).map(\.trials), [1])
    }

    func testHyperbandAssignsTrialsToBracketsInThePapersProportions() {
        let hb = HyperbandStopper(graceEpochs: 1, reductionFactor: 3, maxEpochs: 81)
        let cycle = (0..<143).map { hb.bracket(trial: $0) }
        XCTAssertEqual([4, 3, 2, 1, 0].map { s in cycle.filter { $0 == s }.count }, [81, 34, 15, 8, 5])
        // Smooth: every prefix is within 1 of its share, so early trials spread over the brackets.
        for p in 1...143 {
            for (s, n) in [(4, 81), (3, 34), (2, 15), (1, 8), (0, 5)] {
                let share = Double(p * n) / 143, got = cycle.prefix(p).filter { $0 == s }.count
                XCTAssertLessThan(abs(Double(got) - share), 1.0 + 1e-9, "prefix \(p), bracket \(s)")
            }
        }
        XCTAssertEqual((143..<286).map { hb.bracket(trial: $0) }, cycle)  // repeats
        XCTAssertEqual(Set(cycle.prefix(30)), [4, 3, 2, 1, 0])
        XCTAssertEqual(hb.maxEpochs(trial: 7), 81)
    }

    func testHyperbandBracketsAreASHAWithTheirOwnGrace() {
        var hb = HyperbandStopper(graceEpochs: 1, reductionFactor: 3, maxEpochs: 81)
        let bySelf = (0..<143).map { hb.bracket(trial: $0) }
        let inS4 = (0..<143).filter { bySelf[$0] == 4 }, inS3 = (0..<143).filter { bySelf[$0] == 3 }
        let inS0 = (0..<143).filter { bySelf[$0] == 0 }
        // Bracket s=4 has rungs from epoch 1: its second trial, worse than the first, stops at epoch 1.
        XCTAssertEqual(hb.report(trial: inS4[0], epoch: 1, value: 0.5), .continue)
        XCTAssertEqual(hb.report(trial: inS4[1], epoch: 1, value: 0.6), .stop(reason: "Hyperband bracket s=4: "
            + "ASHA rung 1 (epoch 1): 0.6 is worse than the best 0.5 of the 2 trials there so far (with fewer than 3, only the best continues)"))
        // Bracket s=3 starts at epoch 3 and keeps its own records.
        XCTAssertEqual(hb.report(trial: inS3[0], epoch: 1, value: 0.9), .continue)
        XCTAssertEqual(hb.report(trial: inS3[1], epoch: 1, value: 0.95), .continue)
        XCTAssertEqual(hb.report(trial: inS3[0], epoch: 3, value: 0.9), .continue)
        XCTAssertTrue(hb.report(trial: inS3[1], epoch: 3, value: 0.95).isStop)
        // Bracket s=0 never stops anyone.
        for (k, t) in inS0.enumerated() {
            for e in 1...81 { XCTAssertEqual(hb.report(trial: t, epoch: e, value: Double(k) + 1 / Double(e)), .continue) }
        }
        // `brackets: 2` keeps the two most aggressive; `brackets: 1` is plain ASHA.
        XCTAssertEqual(HyperbandStopper(graceEpochs: 1, reductionFactor: 3, brackets: 2, maxEpochs: 81).brackets.map(\.s), [4, 3])
        var one = HyperbandStopper(graceEpochs: 2, reductionFactor: 3, brackets: 1, maxEpochs: 30)
        var asha = ASHAStopper(graceEpochs: 2, reductionFactor: 3, maxEpochs: 30)
        var rng = SearchRandom(seed: 5)
        for t in 0..<200 {
            for e in 1...30 {
                let v = Double(rng.next() % 1000) / 1000 / Double(e)
                let a = one.report(trial: t, epoch: e, value: v), b = asha.report(trial: t, epoch: e, value: v)
                XCTAssertEqual(a.isStop, b.isStop)
                if a.isStop { break }
            }
        }
    }

    // MARK: Patience

    func testPatienceFollowsTheTrainer() {
        // patience 2, min_delta 0.25 (binary-exact), minimize, 10 epochs. An improvement must beat
        // the best so far by MORE than 0.25; the best moves on any gain.
        var p = PatienceStopper(patience: 2, minDelta: 0.25, maxEpochs: 10)
        // Trial 0: 2.0 (e1, improved) · 1.75 (not by > 0.25: 1; best 1.75) · 1.5 (1.5 < 1.5? no: 2) → stop at epoch 3.
        XCTAssertEqual(p.report(trial: 0, epoch: 1, value: 2.0), .continue)
        XCTAssertEqual(p.report(trial: 0, epoch: 2, value: 1.75), .continue)
        XCTAssertEqual(p.report(trial: 0, epoch: 3, value: 1.5), .stop(reason:
            "patience: no improvement of more than 0.25 in 2 epochs (best 1.5 at epoch 3)"))
        // Trial 1: 2.0 · 1.5 (< 1.75: improved, 0) · 1.5 (1) · 1.0 (< 1.25: 0) · 1.0 (1) · 0.875 (not < 0.75: 2) → stop at 6.
        let curve = [2.0, 1.5, 1.5, 1.0, 1.0, 0.875]
        let decisions = curve.enumerated().map { p.report(trial: 1, epoch: $0 + 1, value: $1) }
        XCTAssertEqual(decisions.dropLast(), Array(repeating: .continue, count: 5))
        XCTAssertEqual(decisions.last, .stop(reason: "patience: no improvement of more than 0.25 in 2 epochs (best 0.875 at epoch 6)"))
        // The last epoch is never cut: 3 epochs, flat curve.
        var short = PatienceStopper(patience: 2, maxEpochs: 3)
        XCTAssertEqual([1.0, 1.0, 1.0].enumerated().map { short.report(trial: 0, epoch: $0 + 1, value: $1) },
                       [.continue, .continue, .continue])
        // min_delta 0: any strict gain resets; equal values do not.
        var strict = PatienceStopper(patience: 1, maxEpochs: 10)
        XCTAssertEqual(strict.report(trial: 0, epoch: 1, value: 1.0), .continue)
        XCTAssertEqual(strict.report(trial: 0, epoch: 2, value: 0.999), .continue)
        XCTAssertEqual(strict.report(trial: 0, epoch: 3, value: 0.999), .stop(reason: "patience: no improvement in 1 epoch (best 0.999 at epoch 2)"))
        // A trial that starts over (resume) starts its record afresh.
        XCTAssertEqual(strict.report(trial: 0, epoch: 1, value: 5.0), .continue)
        XCTAssertEqual(strict.report(trial: 0, epoch: 2, value: 4.0), .continue)
    }

    func testPatienceMaximizes() {
        var p = PatienceStopper(patience: 2, minDelta: 0.125, goal: .maximize, maxEpochs: 10)
        // 0.5 (e1) · 0.625 (not > 0.625: 1; best 0.625) · 0.75 (> 0.75? no: 2) → stop.
        XCTAssertEqual(p.report(trial: 3, epoch: 1, value: 0.5), .continue)
        XCTAssertEqual(p.report(trial: 3, epoch: 2, value: 0.625), .continue)
        XCTAssertEqual(p.report(trial: 3, epoch: 3, value: 0.75), .stop(reason:
            "patience: no improvement of more than 0.125 in 2 epochs (best 0.75 at epoch 3)"))
        // 0.5 · 0.75 (> 0.625: improved) · 0.5 (1) · 0.9375 (> 0.875: improved) → continue throughout.
        XCTAssertEqual([0.5, 0.75, 0.5, 0.9375].enumerated().map { p.report(trial: 4, epoch: $0 + 1, value: $1) },
                       Array(repeating: .continue, count: 4))
    }

    // MARK: From the spec

    func testNoStopperNeverStops() {
        var none = NoStopper(maxEpochs: 4)
        XCTAssertEqual((1...4).map { none.report(trial: 0, epoch: $0, value: 1) }, Array(repeating: .continue, count: 4))
        none.finished(trial: 0, epochs: 4)
        XCTAssertEqual(none.maxEpochs(trial: 7), 4)
    }

    func testMakeStopperReadsTheSpec() throws {
        func spec(_ earlyStopping: String, metric: String = "{name: val_loss}") throws -> SweepSpec {
            try TestVocabulary.parse("""
            name: es
            model: mlp
            metric: \(metric)
            budget: {trials: 10, max_epochs: 27}
            early_stopping: \(earlyStopping)
            parameters:
              depth: {min: 1, max: 4}
            """)
        }
        let hb = try spec("{patience: 3, min_delta: 0.01, scheduler: {type: hyperband, grace_epochs: 1, reduction_factor: 3, brackets: 2}}")
        XCTAssertEqual((makeScheduler(for: hb) as? HyperbandStopper)?.brackets.map(\.s), [3, 2])
        XCTAssertEqual((makeStopper(for: hb) as? HyperbandStopper)?.brackets.map(\.s), [3, 2], "rank 0 runs the scheduler alone")
        XCTAssertTrue(makeScheduler(for: try spec("{scheduler: asha}")) is ASHAStopper)
        XCTAssertTrue(makeScheduler(for: try spec("{scheduler: median}")) is MedianStopper)
        XCTAssertNil(makeScheduler(for: try spec("{patience: 2}")))
        XCTAssertTrue(makeStopper(for: try spec("{patience: 2}")) is NoStopper)
        XCTAssertEqual((makeScheduler(for: try spec("{scheduler: median}")) as? MedianStopper)?.minTrials, 5)
        // val_accuracy maximizes: a higher accuracy is the better one at ASHA's rung.
        var acc = makeStopper(for: try spec("{scheduler: {type: asha, grace_epochs: 1, reduction_factor: 3}}",
                                            metric: "{name: val_accuracy}"))
        XCTAssertEqual(acc.report(trial: 0, epoch: 1, value: 0.5), .continue)
        XCTAssertEqual(acc.report(trial: 1, epoch: 1, value: 0.6), .continue)
        XCTAssertTrue(acc.report(trial: 2, epoch: 1, value: 0.55).isStop)
        XCTAssertEqual(acc.maxEpochs(trial: 0), 27)
    }

    func testRankZeroIgnoresPatience() throws {
        // Patience 1 would stop trial 0 at epoch 2 (no gain); rank 0's stopper is ASHA alone (rungs at
        // 1, 2, 4, 8), where trial 0 is alone and so the best at epoch 2: it continues. A worse trial
        // at rung 1 is ASHA's to stop.
        let spec = try TestVocabulary.parse("""
        name: es
        model: mlp
        budget: {trials: 10, max_epochs: 10}
        early_stopping: {patience: 1, scheduler: {type: asha, grace_epochs: 1, reduction_factor: 2}}
        parameters:
          depth: {min: 1, max: 4}
        """)
        var stopper = makeStopper(for: spec)
        XCTAssertEqual(stopper.report(trial: 0, epoch: 1, value: 1.0), .continue)
        XCTAssertEqual(stopper.report(trial: 0, epoch: 2, value: 1.0), .continue)
        XCTAssertEqual(stopper.report(trial: 1, epoch: 1, value: 2.0),
                       .stop(reason: "ASHA rung 1 (epoch 1): 2 not in the top 1/2 of 2 trials (cut-off 1)"))
        XCTAssertEqual(stopper.maxEpochs(trial: 5), 10)
    }

    // MARK: SortedValues

    func testSortedValuesAgreesWithSorting() {
        var s = SortedValues(), reference: [Double] = []
        var rng = SearchRandom(seed: 8)
        for i in 0..<5000 {
            // Many ties, and runs of increasing and decreasing values to stress chunk splits.
            let x = i % 3 == 0 ? Double(rng.next() % 50) : (i % 3 == 1 ? Double(i) : -Double(i))
            s.insert(x)
            reference.append(x)
            if i % 97 == 0 || i == 4999 {
                let sorted = reference.sorted()
                XCTAssertEqual(s.count, sorted.count)
                for r in [0, sorted.count / 3, sorted.count / 2, sorted.count - 1] { XCTAssertEqual(s.element(at: r), sorted[r]) }
                let n = sorted.count
                XCTAssertEqual(s.median, n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2)
            }
        }
        XCTAssertEqual(s.values, reference.sorted())
        XCTAssertNil(SortedValues().median)
    }
}
