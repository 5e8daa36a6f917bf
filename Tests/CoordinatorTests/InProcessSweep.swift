// InProcessSweep: a sweep over in-process ranks, driven by `SweepDriver` exactly as `hpsearch run`
// drives one under mpirun: rank 0's driver on the calling thread, each worker's on a thread of
// its own.
import Cluster
import Foundation
import Search
import Storage
import TestSupport
import Training
import XCTest
@testable import Coordinator

/// Records what rank 0's driver shows.
final class RecordingPresenter: SweepPresenter {
    var events: [SweepEvent] = []
    var lines: [String] = []
    var outcomes: [SweepOutcome.Status] = []
    func log(_ line: String) { lines.append(line) }
    func event(_ event: SweepEvent, metric: String, progress: () -> SweepProgress) { events.append(event) }
    func ended(_ outcome: SweepOutcome) throws { outcomes.append(outcome.status) }
}

enum InProcessSweep {
    /// Runs `spec` over `size` ranks in `dir/name` and returns the store, rank 0's outcome and
    /// every event. Worker `rank` trains with `executor(rank)`, talks through `link(its
    /// communicator)` and sends heartbeats every `heartbeatInterval` seconds (nil: none);
    /// `configure` sets the drivers' options (timeouts). Workers that hang or lose their link on
    /// purpose are left behind, never waited for; an error thrown by any worker fails the test.
    static func run(_ spec: SweepSpec, size: Int, dir: TemporaryDirectory, name: String,
                    heartbeatInterval: Double? = WorkerLoop.defaultHeartbeatInterval,
                    link: (LocalCommunicator) -> any Communicator = { $0 },
                    configure: (inout SweepDriver.Options) -> Void = { _ in },
                    executor: @escaping @Sendable (_ rank: Int) -> any TrialExecutor,
                    file: StaticString = #filePath, line: UInt = #line) throws -> (SQLiteStore, SweepOutcome, [SweepEvent]) {
        let run = RunDirectory(dir.file(name).path)
        try run.create()
        var options = SweepDriver.Options()
        options.handleSignals = false
        options.workerTimeout = nil
        options.heartbeatTimeout = nil
        options.heartbeatInterval = heartbeatInterval
        configure(&options)
        let world = LocalCommunicator.world(size: size)
        let failures = Failures()
        for c in world.dropFirst() {
            var worker = SweepDriver(communicator: link(c), options: options)
            let rank = c.rank
            worker.makeWorkerExecutor = { _, _ in executor(rank) }
            let w = Unchecked(value: worker)
            Thread.detachNewThread { do { try w.value.work() } catch { failures.add("\(error)") } }
        }
        var driver = SweepDriver(communicator: world[0], options: options)
        driver.makeLocalExecutor = { _, _, _ in executor(0) }
        let presenter = RecordingPresenter()
        let outcome = try driver.coordinate(SweepPlan(spec: spec, run: run), presenter: presenter)
        XCTAssertEqual(failures.all, [], file: file, line: line)
        return (outcome.store, outcome, presenter.events)
    }

    /// `spec` trained for real (`TrialRunner` on `data`) over `size` in-process ranks in
    /// `dir/name`, or in this process when `size` is 1.
    static func train(_ spec: SweepSpec, data: PreparedData, size: Int, dir: TemporaryDirectory, name: String,
                      file: StaticString = #filePath, line: UInt = #line) throws -> SweepOutcome {
        let run = RunDirectory(dir.file(name).path)
        try run.create()
        var options = SweepDriver.Options()
        options.handleSignals = false
        let world = LocalCommunicator.world(size: size)
        let group = DispatchGroup(), failures = Failures()
        for c in world.dropFirst() {
            var worker = SweepDriver(communicator: c, options: options)
            worker.makeWorkerExecutor = { spec, _ in TrialRunner(spec: spec, data: data) }
            let w = Unchecked(value: worker)
            DispatchQueue.global().async(group: group) {
                do { try w.value.work() } catch { failures.add("\(error)") }
            }
        }
        var plan = SweepPlan(spec: spec, run: run)
        plan.data = data
        let outcome = try SweepDriver(communicator: world[0], options: options).coordinate(plan, presenter: SilentPresenter())
        group.wait()
        XCTAssertEqual(failures.all, [], file: file, line: line)
        return outcome
    }
}

extension SweepOutcome {
    var stopped: Bool { if case .stopped = status { true } else { false } }
}
