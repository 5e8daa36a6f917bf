// No-grad evaluation: inside Tensor.withoutGrad nothing is recorded, even from parameters, and
// the previous mode comes back afterwards (also when the body throws, and per thread).
import TestSupport
import XCTest
import Foundation
import TensorCore

final class GradModeTests: XCTestCase {
    struct Boom: Error {}

    func testResultsDoNotRequireGradInsideWithoutGrad() {
        let w = Tensor(shape: [2, 2], data: [1, 2, 3, 4], requiresGrad: true)
        let x = Tensor(shape: [1, 2], data: [1, 1])
        let (y, z, s, m) = Tensor.withoutGrad {
            (Tensor.matmul(x, w), (w * 2 + 1).relu().exp(), w.sum(), Tensor.conv2d(w.reshaped([1, 2, 2, 1]),
                                                                                  weight: w.reshaped([1, 2, 2, 1]), bias: nil))
        }
        for t in [y, z, s, m] { XCTAssertFalse(t.requiresGrad) }
        XCTAssertEqual(y.data, [4, 6])
        XCTAssertTrue(w.requiresGrad, "the parameter itself keeps requiresGrad")
        // Outside, recording is back on.
        XCTAssertTrue(Tensor.matmul(x, w).requiresGrad)
    }

    func testBackwardFromNoGradResultLeavesParametersUntouched() {
        let w = Tensor(shape: [3], data: [1, 2, 3], requiresGrad: true)
        let y = Tensor.withoutGrad { (w * w).sum() }
        y.backward()
        XCTAssertNil(w.grad)
    }

    func testModeIsRestoredAndNests() {
        XCTAssertTrue(GradMode.isEnabled)
        Tensor.withoutGrad {
            XCTAssertFalse(GradMode.isEnabled)
            Tensor.withoutGrad { XCTAssertFalse(GradMode.isEnabled) }
            XCTAssertFalse(GradMode.isEnabled)
        }
        XCTAssertTrue(GradMode.isEnabled)
    }

    func testModeIsRestoredWhenBodyThrows() {
        XCTAssertThrowsError(try Tensor.withoutGrad { throw Boom() })
        XCTAssertTrue(GradMode.isEnabled)
    }

    func testReturnsBodyValue() {
        XCTAssertEqual(Tensor.withoutGrad { 42 }, 42)
    }

    func testModeIsPerThread() {
        final class Flag: @unchecked Sendable { var value: Bool? }
        let seenOnOtherThread = Flag()
        Tensor.withoutGrad {
            let done = DispatchSemaphore(value: 0)
            let thread = Thread {
                let p = Tensor.zeros([1], requiresGrad: true)
                seenOnOtherThread.value = GradMode.isEnabled && (p * 2).requiresGrad
                done.signal()
            }
            thread.start()
            done.wait()
        }
        XCTAssertEqual(seenOnOtherThread.value, true)
    }
}
