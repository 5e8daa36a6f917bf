// Sequential: layers applied one after another; parameters named "<index>.<name>".
import TensorCore

public final class Sequential: Layer {
    public private(set) var layers: [any Layer]
    public var isTraining: Bool = true {
        didSet { for l in layers { l.isTraining = isTraining } }
    }

    public init(_ layers: [any Layer]) {
        self.layers = layers
        // The layers keep the modes they have (a teacher wrapped in eval mode stays in eval mode)
        // until `isTraining` is set on the container.
    }

    public convenience init(_ layers: any Layer...) { self.init(layers) }

    /// The layers in order; a Conv2D followed by a ReLU (and a MaxPool2D) runs as one fused
    /// operation (`Tensor.conv2dReLU`: the same bits, fewer passes over memory).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = x, i = 0
        while i < layers.count {
            if let conv = layers[i] as? Conv2D, i + 1 < layers.count, (layers[i + 1] as? Activation)?.kind == .relu {
                let pool = i + 2 < layers.count ? layers[i + 2] as? MaxPool2D : nil
                h = conv.reluForward(h, pool: pool)
                i += pool == nil ? 2 : 3
            } else {
                h = layers[i](h)
                i += 1
            }
        }
        return h
    }

    public var namedParameters: [(String, Tensor)] {
        layers.enumerated().flatMap { i, l in l.namedParameters.map { ("\(i).\($0.0)", $0.1) } }
    }

    public var namedBuffers: [(String, Tensor)] {
        layers.enumerated().flatMap { i, l in l.namedBuffers.map { ("\(i).\($0.0)", $0.1) } }
    }

    public var namedRandomStreams: [(String, RNG)] {
        layers.enumerated().flatMap { i, l in l.namedRandomStreams.map { ("\(i).\($0.0)", $0.1) } }
    }

    public func setRandomStream(_ name: String, to rng: RNG) -> Bool {
        guard let dot = name.firstIndex(of: "."), let i = Int(name[..<dot]), layers.indices.contains(i) else { return false }
        return layers[i].setRandomStream(String(name[name.index(after: dot)...]), to: rng)
    }

    // MARK: Shape and cost

    public var layerName: String { "sequential" }
    public var layerArguments: String { "\(layers.count) layers" }

    /// Each layer's output shape fed to the next; the first layer that cannot take its input
    /// throws, with its index prepended to the error's `path`.
    public func outputShape(for input: [Int]) throws(LayerShapeError) -> [Int] {
        var shape = input
        for (i, layer) in layers.enumerated() {
            do throws(LayerShapeError) {
                shape = try layer.outputShape(for: shape)
            } catch {
                throw error.inside(i)
            }
        }
        return shape
    }

    /// The layers' FLOPs, each at the shape it receives; up to the first layer that cannot
    /// take its input, when one cannot.
    public func flopsPerExample(for input: [Int]) -> Int {
        var shape = input, total = 0
        for layer in layers {
            total += layer.flopsPerExample(for: shape)
            guard let next = try? layer.outputShape(for: shape) else { break }
            shape = next
        }
        return total
    }
}
