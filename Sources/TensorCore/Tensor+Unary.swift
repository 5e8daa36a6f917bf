// Elementwise unary functions and activations, each with its derivative beside it. Each function
// is a small struct so the generic kernel specialises and inlines it.
import CKernels
import Foundation

/// y = f(x) with its derivative given x and y (whichever is cheaper to use).
public protocol ElementwiseFunction {
    func value(_ x: Float) -> Float
    func derivative(_ x: Float, _ y: Float) -> Float
}

extension Tensor {
    /// `f` applied elementwise.
    public func apply<F: ElementwiseFunction>(_ f: F) -> Tensor { applyKernel(f) }

    @inline(__always)
    func applyKernel<F: ElementwiseFunction>(_ f: F) -> Tensor {
        let n = count
        let out = makeBuffer(n) { o in
            data.withUnsafeBufferPointer { xb in let x = xb.baseAddress!; for i in 0..<n { o[i] = f.value(x[i]) } }
        }
        let result = Tensor(shape: shape, data: out)
        let xd = data  // forward-time values
        result.record([self]) { r in
            r.grad!.withUnsafeBufferPointer { gb in
                xd.withUnsafeBufferPointer { xb in
                    r.data.withUnsafeBufferPointer { yb in
                        let g = gb.baseAddress!, x = xb.baseAddress!, y = yb.baseAddress!
                        self.accumulateGrad { gx in for i in 0..<n { gx[i] += g[i] * f.derivative(x[i], y[i]) } }
                    }
                }
            }
        }
        return result
    }

    /// `f` applied elementwise with `derivative(x, y)` = f'(x) (closure form, for one-off functions).
    public func map(_ f: @escaping (Float) -> Float, derivative: @escaping (Float, Float) -> Float) -> Tensor {
        applyKernel(ClosureFunction(f: f, df: derivative))
    }

    public func exp() -> Tensor { applyKernel(Exp()) }
    public func log() -> Tensor { applyKernel(Log()) }
    public func sqrt() -> Tensor { applyKernel(Sqrt()) }
    public func square() -> Tensor { applyKernel(Square()) }
    public func abs() -> Tensor { applyKernel(Abs()) }
    public func pow(_ p: Float) -> Tensor { applyKernel(Pow(p: p)) }
    public func clamp(min lo: Float, max hi: Float) -> Tensor { applyKernel(Clamp(lo: lo, hi: hi)) }
    /// max(x, 0), through the vectorised C kernels (the most frequent activation).
    public func relu() -> Tensor {
        let n = count
        let out = makeBuffer(n) { o in
            data.withUnsafeBufferPointer { x in
                Parallel.chunks(n, grain: 1 << 16) { i0, i1 in hps_relu_forward(i1 - i0, x.baseAddress! + i0, o + i0) }
            }
        }
        let result = Tensor(shape: shape, data: out)
        let xd = data  // forward-time values
        result.record([self]) { r in
            r.grad!.withUnsafeBufferPointer { g in
                xd.withUnsafeBufferPointer { x in
                    self.accumulateGrad { gx in
                        Parallel.chunks(n, grain: 1 << 16) { i0, i1 in hps_relu_backward(i1 - i0, x.baseAddress! + i0, g.baseAddress! + i0, gx + i0) }
                    }
                }
            }
        }
        return result
    }
    public func leakyRelu(slope: Float = 0.01) -> Tensor { applyKernel(LeakyReLU(slope: slope)) }
    /// ELU: x for x > 0, α(eˣ − 1) otherwise.
    public func elu(alpha: Float = 1) -> Tensor { applyKernel(ELU(alpha: alpha)) }
    /// Exact GELU: x·Φ(x), with Φ the standard normal CDF.
    public func gelu() -> Tensor { applyKernel(GELU()) }
    public func tanh() -> Tensor { applyKernel(Tanh()) }
    public func sigmoid() -> Tensor { applyKernel(Sigmoid()) }
}

struct ClosureFunction: ElementwiseFunction {
    let f: (Float) -> Float, df: (Float, Float) -> Float
    func value(_ x: Float) -> Float { f(x) }
    func derivative(_ x: Float, _ y: Float) -> Float { df(x, y) }
}

/// scale·x + shift.
public struct Affine: ElementwiseFunction {
    public let scale: Float, shift: Float
    @inlinable public init(scale: Float, shift: Float) { self.scale = scale; self.shift = shift }
    @inlinable public func value(_ x: Float) -> Float { scale * x + shift }
    @inlinable public func derivative(_ x: Float, _ y: Float) -> Float { scale }
}

struct Exp: ElementwiseFunction {
    func value(_ x: Float) -> Float { Foundation.exp(x) }
    func derivative(_ x: Float, _ y: Float) -> Float { y }
}
struct Log: ElementwiseFunction {
    func value(_ x: Float) -> Float { Foundation.log(x) }
    func derivative(_ x: Float, _ y: Float) -> Float { 1 / x }
}
struct Sqrt: ElementwiseFunction {
    func value(_ x: Float) -> Float { x.squareRoot() }
    func derivative(_ x: Float, _ y: Float) -> Float { 0.5 / y }
}
struct Square: ElementwiseFunction {
    func value(_ x: Float) -> Float { x * x }
    func derivative(_ x: Float, _ y: Float) -> Float { 2 * x }
}
struct Abs: ElementwiseFunction {
    func value(_ x: Float) -> Float { Swift.abs(x) }
    func derivative(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : 0) }
}
struct Pow: ElementwiseFunction {
    let p: Float
    func value(_ x: Float) -> Float { Foundation.pow(x, p) }
    func derivative(_ x: Float, _ y: Float) -> Float { p * Foundation.pow(x, p - 1) }
}
struct Clamp: ElementwiseFunction {
    let lo: Float, hi: Float
    func value(_ x: Float) -> Float { Swift.min(Swift.max(x, lo), hi) }
    func derivative(_ x: Float, _ y: Float) -> Float { x >= lo && x <= hi ? 1 : 0 }
}
/// max(x, 0) + slope·min(x, 0); ReLU is slope 0.
struct LeakyReLU: ElementwiseFunction {
    let slope: Float
    func value(_ x: Float) -> Float { x > 0 ? x : slope * x }
    func derivative(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : slope }
}
struct ELU: ElementwiseFunction {
    let alpha: Float
    func value(_ x: Float) -> Float { x > 0 ? x : alpha * (Foundation.exp(x) - 1) }
    func derivative(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : y + alpha }
}
/// Derivative Φ(x) + x·φ(x).
struct GELU: ElementwiseFunction {
    static let invSqrt2: Float = 0.70710678118654752
    static let invSqrt2Pi: Float = 0.3989422804014327
    func value(_ x: Float) -> Float { 0.5 * x * (1 + erf(x * GELU.invSqrt2)) }
    func derivative(_ x: Float, _ y: Float) -> Float {
        0.5 * (1 + erf(x * GELU.invSqrt2)) + x * GELU.invSqrt2Pi * Foundation.exp(-0.5 * x * x)
    }
}
struct Tanh: ElementwiseFunction {
    func value(_ x: Float) -> Float { Foundation.tanh(x) }
    func derivative(_ x: Float, _ y: Float) -> Float { 1 - y * y }
}
struct Sigmoid: ElementwiseFunction {
    func value(_ x: Float) -> Float { x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x)) }
    func derivative(_ x: Float, _ y: Float) -> Float { y * (1 - y) }
}
