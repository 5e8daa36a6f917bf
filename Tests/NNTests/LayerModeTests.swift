// Train/eval modes survive wrapping, and dropout layers built from one generator get their own masks.
import TestSupport
import XCTest
import TensorCore
@testable import NN

final class LayerModeTests: XCTestCase {
    func testSequentialKeepsAnEvalModeTeacherInEvalMode() {
        var rng = RNG(seed: 1)
        let teacher = Sequential(Dense(4, 4, rng: &rng), Dropout(rate: 0.5, rng: &rng))
        teacher.isTraining = false
        let wrapped = Sequential(teacher, Dense(4, 2, rng: &rng))
        XCTAssertFalse(teacher.isTraining)
        XCTAssertFalse((teacher.layers[1] as! Dropout).isTraining)
        wrapped.isTraining = true
        XCTAssertTrue((teacher.layers[1] as! Dropout).isTraining, "setting the mode explicitly propagates")
    }

    func testDropoutsFromOneGeneratorHaveDifferentMasks() {
        var rng = RNG(seed: 3)
        let a = Dropout(rate: 0.5, rng: &rng), b = Dropout(rate: 0.5, rng: &rng)
        let x = Tensor.ones([1, 256])
        XCTAssertNotEqual(a(x).data, b(x).data)
        // And the caller's generator moved on: the next weights are not drawn from the masks' bits.
        var again = RNG(seed: 3)
        _ = Dropout(rate: 0.5, rng: &again)
        var untouched = RNG(seed: 3)
        XCTAssertNotEqual(again.nextUInt64(), untouched.nextUInt64())
    }

    func testMaskIsReproducibleFromTheSameSeed() {
        var r1 = RNG(seed: 9), r2 = RNG(seed: 9)
        let a = Dropout(rate: 0.3, rng: &r1), b = Dropout(rate: 0.3, rng: &r2)
        let x = Tensor.ones([4, 32])
        XCTAssertEqual(a(x).data, b(x).data)
    }
}
