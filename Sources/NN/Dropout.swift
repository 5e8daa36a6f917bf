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
        // `keep`: the bits drawn in bulk into the mask's own buffer, then turned into the mask in
        // place over the threads; the values of a sequential loop.
        let mask = makeBuffer(n) { m in
            m.withMemoryRebound(to: UInt32.self, capacity: n) { rng.nextUInt32s(into: $0, count: n) }
            let raw = UnsafeMutableRawPointer(m)
            Parallel.chunks(n, grain: 1 << 15) { i0, i1 in
                for i in i0..<i1 {
                    let bits = raw.load(fromByteOffset: i * 4, as: UInt32.self)
                    raw.storeBytes(of: Float(bits >> 8) * 0x1p-24 < keep ? scale : 0, toByteOffset: i * 4, as: Float.self)
                }
            }
        }
        return x * Tensor(shape: x.shape, data: mask)
    }
}
