// Elementwise unary functions and activations, each with its derivative beside it.
import Foundation

extension Tensor {
    /// `f` applied elementwise; `derivative(x, y)` is f'(x) given input x and output y = f(x).
    @inline(__always)
    public func map(_ f: (Float) -> Float, derivative: @escaping (Float, Float) -> Float) -> Tensor {
        let n = count
        let out = makeBuffer(n) { o in
            data.withUnsafeBufferPointer { x in for i in 0..<n { o[i] = f(x[i]) } }
        }
        let result = Tensor(shape: shape, data: out)
        result.record([self]) { r in
            r.grad!.withUnsafeBufferPointer { g in
                self.data.withUnsafeBufferPointer { x in
                    r.data.withUnsafeBufferPointer { y in
                        self.accumulateGrad { gx in for i in 0..<n { gx[i] += g[i] * derivative(x[i], y[i]) } }
                    }
                }
            }
        }
        return result
    }

    public func exp() -> Tensor { map({ Foundation.exp($0) }, derivative: { _, y in y }) }
    public func log() -> Tensor { map({ Foundation.log($0) }, derivative: { x, _ in 1 / x }) }
    public func sqrt() -> Tensor { map({ Foundation.sqrt($0) }, derivative: { _, y in 0.5 / y }) }
    public func square() -> Tensor { map({ $0 * $0 }, derivative: { x, _ in 2 * x }) }
    public func abs() -> Tensor { map({ Swift.abs($0) }, derivative: { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) }) }
    public func pow(_ p: Float) -> Tensor {
        map({ Foundation.pow($0, p) }, derivative: { x, _ in p * Foundation.pow(x, p - 1) })
    }
    public func clamp(min lo: Float, max hi: Float) -> Tensor {
        map({ Swift.min(Swift.max($0, lo), hi) }, derivative: { x, _ in x >= lo && x <= hi ? 1 : 0 })
    }

    // MARK: Activations

    public func relu() -> Tensor { map({ $0 > 0 ? $0 : 0 }, derivative: { x, _ in x > 0 ? 1 : 0 }) }

    public func leakyRelu(slope: Float = 0.01) -> Tensor {
        map({ $0 > 0 ? $0 : slope * $0 }, derivative: { x, _ in x > 0 ? 1 : slope })
    }

    /// ELU: x for x > 0, α(eˣ − 1) otherwise.
    public func elu(alpha: Float = 1) -> Tensor {
        map({ $0 > 0 ? $0 : alpha * (Foundation.exp($0) - 1) }, derivative: { x, y in x > 0 ? 1 : y + alpha })
    }

    /// Exact GELU: x·Φ(x), with Φ the standard normal CDF. Derivative Φ(x) + x·φ(x).
    public func gelu() -> Tensor {
        let invSqrt2: Float = 0.70710678118654752
        let invSqrt2Pi: Float = 0.3989422804014327
        return map({ 0.5 * $0 * (1 + erf($0 * invSqrt2)) },
                   derivative: { x, _ in 0.5 * (1 + erf(x * invSqrt2)) + x * invSqrt2Pi * Foundation.exp(-0.5 * x * x) })
    }

    public func tanh() -> Tensor { map({ Foundation.tanh($0) }, derivative: { _, y in 1 - y * y }) }

    public func sigmoid() -> Tensor {
        map({ $0 >= 0 ? 1 / (1 + Foundation.exp(-$0)) : Foundation.exp($0) / (1 + Foundation.exp($0)) },
            derivative: { _, y in y * (1 - y) })
    }
}
