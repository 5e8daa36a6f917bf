// The worker pool behind Parallel: every part runs exactly once per job, jobs back to back
// (the pool threads spinning) and after a pause (asleep) alike, nested calls run inline, and a
// job from a second thread while one runs does not deadlock.
import Foundation
import TensorCore
import XCTest

final class ParallelTests: XCTestCase {
    override func tearDown() { BLAS.setThreads(1) }

    func testEveryPartRunsExactlyOnceInThousandsOfJobs() {
        BLAS.setThreads(3)
        // On a thread of its own, so that a pool that hangs fails this test (and the jobs after
        // it run inline, the pool being busy) instead of stalling the whole suite.
        final class Outcome: @unchecked Sendable {
            var failure: String?
            let finished = DispatchSemaphore(value: 0)
        }
        let outcome = Outcome()
        let thread = Thread {
            var counts = [Int](repeating: 0, count: 8)
            for job in 0..<20_000 {
                let parts = job % 3 == 2 ? 2 : 2 + job % 7  // long jobs next to short ones
                counts.withUnsafeMutableBufferPointer { c in
                    let base = c.baseAddress!
                    Parallel.run(parts: parts) { p in base[p] += 1 }
                }
                // Parts past the job's end must not run either: a straggler of the previous job
                // once claimed one (it read the next job's larger part count), ran it, and left
                // the pool waiting forever for a count below zero.
                if let p = (0..<8).first(where: { counts[$0] != ($0 < parts ? 1 : 0) }) {
                    outcome.failure = "job \(job) of \(parts) parts: part \(p) ran \(counts[p]) times"
                    break
                }
                for p in 0..<8 { counts[p] = 0 }
            }
            outcome.finished.signal()
        }
        thread.start()
        guard outcome.finished.wait(timeout: .now() + 120) == .success else {
            // The hung thread still owns `outcome`; later tests run their jobs inline.
            return XCTFail("20,000 jobs did not finish within 120 s: the pool hung")
        }
        if let failure = outcome.failure { XCTFail(failure) }
    }

    func testJobsAfterThePoolHasGoneToSleep() {
        BLAS.setThreads(2)
        for _ in 0..<5 {
            Thread.sleep(forTimeInterval: 0.01)  // longer than the 0.1 ms spin: the pool sleeps
            var sums = [Int](repeating: 0, count: 2)
            sums.withUnsafeMutableBufferPointer { s in
                let base = s.baseAddress!
                Parallel.chunks(1000) { b, e in base[b == 0 ? 0 : 1] = (b..<e).reduce(0, +) }
            }
            XCTAssertEqual(sums[0] + sums[1], 999 * 1000 / 2)
        }
    }

    func testNestedCallsRunInline() {
        BLAS.setThreads(2)
        var grid = [Int](repeating: 0, count: 16)
        grid.withUnsafeMutableBufferPointer { g in
            let base = g.baseAddress!
            Parallel.run(parts: 4) { outer in
                Parallel.run(parts: 4) { inner in base[outer * 4 + inner] += 1 }
            }
        }
        XCTAssertEqual(grid, [Int](repeating: 1, count: 16))
    }

    func testJobsFromTwoThreadsAtOnceAllFinish() {
        BLAS.setThreads(2)
        final class Totals: @unchecked Sendable {
            let counts = UnsafeMutablePointer<Int>.allocate(capacity: 8)
            init() { counts.initialize(repeating: 0, count: 8) }
            deinit { counts.deallocate() }
        }
        let totals = Totals()
        let group = DispatchGroup()
        for t in 0..<2 {
            DispatchQueue.global().async(group: group) {
                let counts = totals.counts
                for _ in 0..<2000 { Parallel.run(parts: 4) { p in counts[t * 4 + p] += 1 } }
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 60), .success, "a job did not finish")
        XCTAssertEqual((0..<8).map { totals.counts[$0] }, [Int](repeating: 2000, count: 8))
    }
}
