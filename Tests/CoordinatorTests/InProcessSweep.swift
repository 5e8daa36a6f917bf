// InProcessSweep: a sweep over in-process ranks for the fault and heartbeat tests: rank 0's loop
// on the calling thread, each worker on a thread of its own.
import Cluster
import Foundation
import Search
import Storage
import TestSupport
import XCTest
@testable import Coordinator

enum InProcessSweep {
    /// Runs `spec` over `size` ranks in `dir/name` and returns the store, rank 0's outcome and
    /// every event. Worker `rank` trains with `executor(rank)`, talks through `link(its
    /// communicator)` and sends heartbeats every `heartbeatInterval` seconds (nil: none);
    /// `configure` sets rank 0's loop (timeouts). Workers that hang or lose their link on purpose
    /// are left behind, never waited for; an error thrown by any worker fails the test.
    static func run(_ spec: SweepSpec, size: Int, dir: TemporaryDirectory, name: String,
                    heartbeatInterval: Double? = WorkerLoop.defaultHeartbeatInterval,
                    link: (LocalCommunicator) -> any Communicator = { $0 },
                    configure: (inout CoordinatorLoop) -> Void = { _ in },
                    executor: @escaping @Sendable (_ rank: Int) -> any TrialExecutor,
                    file: StaticString = #filePath, line: UInt = #line) throws -> (SQLiteStore, CoordinatorLoop.Outcome, [SweepEvent]) {
        let run = RunDirectory(dir.file(name).path)
        try run.create()
        let store = try SQLiteStore(path: run.storePath)
        let coordinator = SweepCoordinator(spec: spec, store: store, run: run)
        try coordinator.prepare()
        var events: [SweepEvent] = []
        coordinator.onEvent = { events.append($0) }
        let world = LocalCommunicator.world(size: size)
        let failures = Failures()
        for c in world.dropFirst() {
            var worker = WorkerLoop(communicator: link(c))
            let rank = c.rank
            worker.heartbeatInterval = heartbeatInterval
            worker.makeExecutor = { _, _ in executor(rank) }
            let w = Unchecked(value: worker)
            Thread.detachNewThread { do { try w.value.run() } catch { failures.add("\(error)") } }
        }
        var loop = CoordinatorLoop(coordinator: coordinator, communicator: world[0])
        configure(&loop)
        let outcome = try loop.run()
        XCTAssertEqual(failures.all, [], file: file, line: line)
        return (store, outcome, events)
    }
}
