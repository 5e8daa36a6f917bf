// Batch independence: in evaluation mode, example i's outputs depend on example i's input only,
// so the gradient of row i's outputs with respect to every other row of the input is exactly
// zero. BatchNorm in training mode mixes examples through the batch statistics (the contrast).
// The layer language's pieces too: residuals (identity and projected), average and global
// pooling, layer norm (in training mode as well: it has no batch statistics), and embeddings
// (their inputs are ids, so independence is checked by changing other examples' ids).
import TestSupport
import XCTest
import TensorCore
import NN

final class BatchIndependenceTests: XCTestCase {
    /// Gradient of Σ(model(x)[i]) with respect to x, as [N][row elements].
    func inputGradientRows(_ model: Layer, _ x: Tensor, row i: Int) -> [[Float]] {
        x.requiresGrad = true
        x.zeroGrad()
        model.zeroGrad()
        model(x).rows([i]).sum().backward()
        let per = x.count / x.shape[0]
        return (0..<x.shape[0]).map { Array(x.grad![($0 * per)..<(($0 + 1) * per)]) }
    }

    func assertIndependent(_ model: Layer, _ x: Tensor, file: StaticString = #filePath, line: UInt = #line) {
        for i in 0..<x.shape[0] {
            let g = inputGradientRows(model, x, row: i)
            for j in 0..<x.shape[0] where j != i {
                XCTAssertTrue(g[j].allSatisfy { $0 == 0 }, "row \(i)'s loss leaks into input row \(j)", file: file, line: line)
            }
            XCTAssertTrue(g[i].contains { $0 != 0 }, "row \(i)'s loss has no gradient on its own input", file: file, line: line)
        }
    }

    func testMLPInEvalModeIsBatchIndependent() {
        var rng = RNG(seed: 1)
        let mlp = Sequential(Dense(6, 16, rng: &rng), Activation(.relu), Dense(16, 4, rng: &rng))
        mlp.isTraining = false
        assertIndependent(mlp, TestData.normal([5, 6], seed: 2))
    }

    func testCNNInEvalModeIsBatchIndependent() {
        var rng = RNG(seed: 3)
        let cnn = Sequential(Conv2D(inChannels: 2, outChannels: 4, kernel: 3, rng: &rng), Activation(.relu),
                             MaxPool2D(kernel: 2), Flatten(), Dense(4 * 4 * 4, 5, rng: &rng))
        cnn.isTraining = false
        assertIndependent(cnn, TestData.normal([4, 8, 8, 2], seed: 4))
    }

    func testStridedPaddedCNNWithEvalBatchNormAndDropoutIsBatchIndependent() {
        var rng = RNG(seed: 5)
        let cnn = Sequential(Conv2D(inChannels: 1, outChannels: 3, kernel: 3, stride: 2, padding: 1, rng: &rng),
                             BatchNorm(features: 3), Activation(.relu), Flatten(),
                             Dropout(rate: 0.5, rng: rng.derived(stream: 1)), Dense(3 * 3 * 3, 2, rng: &rng))
        // Give the running statistics non-trivial values, then evaluate.
        _ = Tensor.withoutGrad { cnn(TestData.normal([4, 6, 6, 1], seed: 6)) }
        cnn.isTraining = false
        assertIndependent(cnn, TestData.normal([3, 6, 6, 1], seed: 7))
    }

    func testBatchNormInTrainModeMixesExamples() {
        var rng = RNG(seed: 8)
        let model = Sequential(Dense(6, 8, rng: &rng), BatchNorm(features: 8), Activation(.tanh), Dense(8, 3, rng: &rng))
        XCTAssertTrue(model.isTraining)
        let x = TestData.normal([5, 6], seed: 9)
        let g = inputGradientRows(model, x, row: 0)
        for j in 1..<5 {
            XCTAssertTrue(g[j].contains { abs($0) > 1e-6 }, "batch statistics should couple row 0 to row \(j)")
        }
        // The same model in eval mode is independent again.
        model.isTraining = false
        assertIndependent(model, x)
    }

    func testResidualsInEvalModeAreBatchIndependent() throws {
        var rng = RNG(seed: 10)
        let projected = try Residual(inner: Sequential(Conv2D(inChannels: 2, outChannels: 4, kernel: 3, stride: 2, padding: .same, rng: &rng),
                                                       BatchNorm(features: 4), Activation(.relu)),
                                     input: [6, 6, 2], rng: &rng)
        let model = Sequential(projected, try Residual(inner: Sequential(Conv2D(inChannels: 4, outChannels: 4, kernel: 3, rng: &rng),
                                                                         Activation(.tanh)), input: [3, 3, 4], rng: &rng),
                               GlobalAvgPool2D(), Dense(4, 3, rng: &rng))
        _ = Tensor.withoutGrad { model(TestData.normal([4, 6, 6, 2], seed: 11)) }  // running statistics
        model.isTraining = false
        assertIndependent(model, TestData.normal([3, 6, 6, 2], seed: 12))
        var r2 = RNG(seed: 13)
        let vector = try Residual(inner: Sequential(Dense(5, 7, rng: &r2), Activation(.elu)), input: [5], rng: &r2)
        assertIndependent(vector, TestData.normal([4, 5], seed: 14))
    }

    func testPoolingIsBatchIndependent() {
        assertIndependent(AvgPool2D(kernel: 3, stride: 2), TestData.normal([3, 7, 7, 2], seed: 15))
        assertIndependent(GlobalAvgPool2D(), TestData.normal([3, 4, 5, 2], seed: 16))
        assertIndependent(MaxPool2D(kernel: 3, stride: 1), TestData.spaced([3, 4, 4, 2], seed: 17))
    }

    func testLayerNormIsBatchIndependentEvenInTraining() {
        let ln = LayerNorm(features: 4)
        ln.gain.assign([1, -2, 0.5, 1.5])
        XCTAssertTrue(ln.isTraining)
        assertIndependent(ln, TestData.normal([4, 4], seed: 18))
        assertIndependent(ln, TestData.normal([3, 2, 2, 4], seed: 19))
    }

    func testEmbeddingIsBatchIndependent() {
        var rng = RNG(seed: 20)
        let model = Sequential(Embedding(vocabulary: 7, dim: 3, rng: &rng), Dense(6, 2, rng: &rng))
        let ids: [Float] = [0, 6, 3, 3, 5, 1, 2, 4]   // [4, 2]
        let base = model(Tensor(shape: [4, 2], data: ids)).data
        for j in 0..<4 {
            var changed = ids
            changed[2 * j] = Float((Int(changed[2 * j]) + 1) % 7)
            let out = model(Tensor(shape: [4, 2], data: changed)).data
            for i in 0..<4 {
                let same = Array(out[(2 * i)..<(2 * i + 2)]) == Array(base[(2 * i)..<(2 * i + 2)])
                XCTAssertEqual(same, i != j, "changing example \(j)'s ids \(i == j ? "must" : "must not") change example \(i)'s output")
            }
        }
        // The table's gradient from example i's output touches only example i's ids.
        let table = (model.layers[0] as! Embedding).table
        table.zeroGrad()
        model(Tensor(shape: [4, 2], data: ids)).rows([1]).sum().backward()
        let touched = (0..<7).filter { row in table.grad![(3 * row)..<(3 * row + 3)].contains { $0 != 0 } }
        XCTAssertEqual(touched, [3])
    }
}
