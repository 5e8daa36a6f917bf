// Dropout (inverted): in training, zero each element with probability p and scale survivors by
// 1/(1−p); in evaluation, the identity. The mask comes from the layer's own RNG stream.
import TensorCore

public final class Dropout: Layer {
    public let rate: Float
    public var isTraining = true
    public var rng: RNG

    /// Dropout drawing its masks from its own stream, split off `rng` (which advances), so that
    /// layers built from one generator never share masks or reuse the bits that drew weights.
    public convenience init(rate: Float, rng: inout RNG) {
        self.init(rate: rate, rng: rng.derived(stream: rng.nextUInt64()))
    }

    /// Dropout drawing its masks from exactly `rng` (callers pass a dedicated stream).
    public init(rate: Float, rng: RNG) {
        precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1), got \(rate)")
        self.rate = rate
        self.rng = rng
    }

    public var namedParameters: [(String, Tensor)] { [] }
    public var namedRandomStreams: [(String, RNG)] { [("mask", rng)] }

    public func setRandomStream(_ name: String, to rng: RNG) -> Bool {
        guard name == "mask" else { return false }
        self.rng = rng
        return true
    }

    public var layerName: String { "dropout" }
    public var layerArguments: String { "rate \(rate)" }
    /// Any shape, unchanged.
    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] { input }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard isTraining, rate > 0 else { return x }
        let keep = 1 - rate, scale = 1 / keep, n = x.count
        // Element i keeps when the stream's next i-th uniform (24 bits, as RNG.uniform) is below
        // `keep`: drawn in bulk and compared over the threads, the bits of a sequential loop.
        let bits = [UInt32](unsafeUninitializedCapacity: n) { b, initialized in
            rng.nextUInt32s(into: b.baseAddress!, count: n)
            initialized = n
        }
        let mask = makeBuffer(n) { m in
            bits.withUnsafeBufferPointer { pb in
                let u = pb.baseAddress!
                Parallel.chunks(n, grain: 1 << 15) { i0, i1 in
                    for i in i0..<i1 { m[i] = Float(u[i] >> 8) * 0x1p-24 < keep ? scale : 0 }
                }
            }
        }
        return x * Tensor(shape: x.shape, data: mask)
    }
}
