// HeartbeatSender: a worker's sign of life, sent from a thread of its own so that rank 0 can
// tell a lost host or process (no heartbeat) from a long epoch (heartbeats, no epoch report).
import Cluster
import Foundation

/// Sends `.heartbeat` to rank 0 at once and then every `interval` seconds, on a background
/// thread, until `stop`.
///
/// Contract: only used with a communicator whose `allowsConcurrentSend` is true; `stop` returns
/// after the thread has made its last call, so the communicator may be finalised afterwards. A
/// failed send ends the heartbeats (rank 0 will then give the rank up), never the worker.
final class HeartbeatSender: @unchecked Sendable {
    private let communicator: any Communicator
    private let interval: Double
    private let wake = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    private var started = false

    init(communicator: any Communicator, interval: Double) {
        self.communicator = communicator
        self.interval = interval
    }

    func start() {
        started = true
        Thread.detachNewThread { [self] in
            // The first at once: rank 0 then knows this rank beats before it holds any trial.
            repeat {
                do { try communicator.send(.heartbeat, to: 0) } catch { break }
            } while wake.wait(timeout: .now() + interval) == .timedOut
            done.signal()
        }
    }

    /// Ends the heartbeats and waits for the thread.
    func stop() {
        guard started else { return }
        started = false
        wake.signal()
        done.wait()
    }
}
