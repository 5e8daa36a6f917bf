// ONNXExporter: a stored model as one ONNX graph (opset 17, IR version 8) that takes what the
// user has — raw pixels or raw numeric columns — and gives what `hpsearch predict` gives:
// - input `input`, float32: images [N, H, W, C] (raw pixel values, as in the IDX or .npy files);
//   tables [N, columns] of the raw numeric columns, NaN for a missing cell (the stored medians
//   and missing indicators are applied in the graph). A table with categorical columns takes its
//   encoded features instead ([N, features]: one-hot and indicator columns as the model card's
//   `feature_names` list them, numeric columns raw), because a one-hot vocabulary of strings has
//   no float encoding.
// - The run's standardisation as leading Sub / Div (Mul for images) nodes.
// - Layers: dense (Gemm), conv2d (Conv, weights turned from hpsearch's OHWI to ONNX's OIHW; the
//   graph runs NCHW between the first image layer and the flatten / global pool, where it turns
//   back to hpsearch's NHWC order), max/avg/global average pooling, batch norm (inference, with
//   the running statistics), layer norm (LayerNormalization over the channels), dropout
//   (nothing at inference), the activations (exact GELU as 0.5·x·(1 + erf(x/√2))), embedding
//   (Gather), residual (Add, with its projection).
// - Output `probabilities` [N, classes] (Softmax; an ensemble's members' probabilities weighted
//   and summed in the graph) or, for regression, `predictions` [N, targets] in the targets' units.
import Datasets
import Foundation
import NN
import TensorCore

public struct ONNXExportError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

public struct ONNXExporter {
    public static let opset = 17
    public static let irVersion = 8

    let model: StoredModel
    var nodes: [[UInt8]] = []
    var initializers: [[UInt8]] = []
    var counter = 0

    public init(model: StoredModel) { self.model = model }

    /// The graph's input shape after the batch, and its name.
    public static func inputShape(_ t: FittedTransform) -> [Int] {
        if let image = t.imageShape { return image }
        if t.columns.isEmpty { return [t.inputWidth] }
        return [encodedInput(t) ? t.featureCount : t.columns.count]
    }

    /// Tables with categorical columns take their encoded features (see the file's header).
    static func encodedInput(_ t: FittedTransform) -> Bool { t.columns.contains { $0.kind == .categorical } }

    public var outputName: String { model.isRegression ? "predictions" : "probabilities" }

    /// The ONNX file's bytes.
    public mutating func export(producerVersion: String, metadata: [(String, String)] = []) throws -> [UInt8] {
        nodes = []
        initializers = []
        let t = model.transform
        var x = "input"
        x = try preprocess(x, t)
        var outputs: [String] = []
        for (m, member) in model.members.enumerated() {
            let prefix = model.members.count == 1 ? "" : "m\(m)/"
            var y = try layers(member.model.layers, input: x, nchw: false, prefix: prefix)
            if model.isRegression {
                let ts = t.targets!
                y = binary("Mul", y, constant(prefix + "target_std", ts.std.map(Float.init), [ts.std.count]))
                y = binary("Add", y, constant(prefix + "target_mean", ts.mean.map(Float.init), [ts.mean.count]))
            } else {
                y = node("Softmax", [y], attributes: [("axis", .int(1))])
            }
            if model.members.count > 1 {
                y = binary("Mul", y, constant(prefix + "weight", [Float(member.weight)], []))
            }
            outputs.append(y)
        }
        let result = outputs.count == 1 ? outputs[0] : node("Sum", outputs)
        _ = node("Identity", [result], output: outputName)
        var w = ProtobufWriter()
        w.int(1, Self.irVersion)
        w.string(2, "hpsearch")
        w.string(3, producerVersion)
        w.message(7) { g in
            for n in nodes { g.bytes(1, n) }
            g.string(2, "hpsearch")
            for i in initializers { g.bytes(5, i) }
            g.message(11) { Self.valueInfo(&$0, "input", [-1] + Self.inputShape(t)) }
            g.message(12) { Self.valueInfo(&$0, outputName, [-1, model.outputCount]) }
        }
        w.message(8) { o in o.string(1, ""); o.int(2, Self.opset) }
        for (k, v) in metadata { w.message(14) { e in e.string(1, k); e.string(2, v) } }
        return w.bytes
    }

    static func valueInfo(_ w: inout ProtobufWriter, _ name: String, _ shape: [Int]) {
        w.string(1, name)
        w.message(2) { type in
            type.message(1) { tensor in
                tensor.int(1, 1)   // FLOAT
                tensor.message(2) { s in
                    for d in shape { s.message(1) { dim in if d < 0 { dim.string(2, "N") } else { dim.int(1, d) } } }
                }
            }
        }
    }

    // MARK: Graph building

    enum Attribute {
        case int(Int), float(Float), ints([Int])
    }

    mutating func fresh(_ hint: String) -> String {
        counter += 1
        return "\(hint)_\(counter)"
    }

    /// Appends a node; returns its (first) output's name.
    @discardableResult
    mutating func node(_ op: String, _ inputs: [String], attributes: [(String, Attribute)] = [], output: String? = nil) -> String {
        let out = output ?? fresh(op.lowercased())
        var w = ProtobufWriter()
        for i in inputs { w.string(1, i) }
        w.string(2, out)
        w.string(3, out)
        w.string(4, op)
        for (name, a) in attributes {
            w.message(5) { at in
                at.string(1, name)
                switch a {
                case .int(let v): at.int(3, v); at.int(20, 2)
                case .float(let v): at.float(2, v); at.int(20, 1)
                case .ints(let v): at.packedInts(8, v); at.int(20, 7)
                }
            }
        }
        nodes.append(w.bytes)
        return out
    }

    mutating func binary(_ op: String, _ a: String, _ b: String) -> String { node(op, [a, b]) }

    /// A float32 initializer.
    mutating func constant(_ hint: String, _ values: [Float], _ dims: [Int]) -> String {
        initializer(hint, dataType: 1, dims, values.withUnsafeBufferPointer { Array(UnsafeRawBufferPointer($0)) })
    }

    /// An int64 initializer (shapes, indices).
    mutating func int64s(_ hint: String, _ values: [Int], _ dims: [Int]) -> String {
        initializer(hint, dataType: 7, dims, values.map(Int64.init).withUnsafeBufferPointer { Array(UnsafeRawBufferPointer($0)) })
    }

    /// A TensorProto initializer of ONNX `dataType` (1 FLOAT, 7 INT64) with little-endian `raw` data.
    mutating func initializer(_ hint: String, dataType: Int, _ dims: [Int], _ raw: [UInt8]) -> String {
        let name = fresh(hint)
        var w = ProtobufWriter()
        w.packedInts(1, dims)
        w.int(2, dataType)
        w.string(8, name)
        w.bytes(9, raw)
        initializers.append(w.bytes)
        return name
    }

    // MARK: Preprocessing

    mutating func preprocess(_ input: String, _ t: FittedTransform) throws -> String {
        var x = input
        if t.imageShape != nil {
            // Rows of H·W·C values, as the model's own Reshape layer expects them.
            x = node("Reshape", [x, int64s("flat", [0, -1], [2])])
        }
        if let d = t.inputDivisor {
            x = binary("Div", x, constant("input_divisor", [d], []))
        }
        if t.imageShape == nil && !t.columns.isEmpty && !Self.encodedInput(t) {
            // Raw numeric columns: medians for NaN, and the indicator columns where training had them.
            let fills = t.columns.map(\.fill)
            let missing = node("IsNaN", [x])
            let imputed = node("Where", [missing, constant("fill", fills, [fills.count]), x])
            if t.columns.contains(where: \.missingIndicator) {
                let indicators = node("Cast", [missing], attributes: [("to", .int(1))])
                let both = node("Concat", [imputed, indicators], attributes: [("axis", .int(1))])
                var order: [Int] = []
                for (j, c) in t.columns.enumerated() {
                    order.append(j)
                    if c.missingIndicator { order.append(t.columns.count + j) }
                }
                x = node("Gather", [both, int64s("feature_order", order, [order.count])], attributes: [("axis", .int(1))])
            } else {
                x = imputed
            }
        }
        switch t.scaling {
        case .global(let mean, let scale):
            x = binary("Sub", x, constant("pixel_mean", [mean], []))
            x = binary("Mul", x, constant("pixel_scale", [scale], []))
        case .perFeature(let mean, let std):
            if !mean.isEmpty {
                x = binary("Sub", x, constant("feature_mean", mean, [mean.count]))
                x = binary("Div", x, constant("feature_std", std, [std.count]))
            }
        }
        return x
    }

    // MARK: Layers

    /// `layers` on `input`; `nchw`: whether `input` is an image in ONNX's NCHW layout (hpsearch's
    /// own is NHWC). Returns the output, which is left NCHW only when the input was an image and
    /// stays one (inside a residual).
    mutating func layers(_ layers: [any Layer], input: String, nchw: Bool, prefix: String) throws -> String {
        var (x, isNCHW) = (input, nchw)
        for (i, layer) in layers.enumerated() {
            (x, isNCHW) = try self.layer(layer, x, nchw: isNCHW, name: "\(prefix)\(i)")
        }
        return x
    }

    mutating func toNCHW(_ x: String, _ nchw: Bool) -> String {
        nchw ? x : node("Transpose", [x], attributes: [("perm", .ints([0, 3, 1, 2]))])
    }

    mutating func toNHWC(_ x: String) -> String { node("Transpose", [x], attributes: [("perm", .ints([0, 2, 3, 1]))]) }

    /// One layer: its output and whether that output is NCHW.
    mutating func layer(_ layer: any Layer, _ x: String, nchw: Bool, name: String) throws -> (String, Bool) {
        switch layer {
        case let r as Reshape:
            if r.exampleShape.count == 3 {
                let y = node("Reshape", [x, int64s("\(name).shape", [-1] + r.exampleShape, [4])])
                return (toNCHW(y, false), true)
            }
            return (node("Reshape", [nchw ? toNHWC(x) : x, int64s("\(name).shape", [-1] + r.exampleShape, [r.exampleShape.count + 1])]), false)
        case let d as Dense:
            let w = constant("\(name).weight", d.weight.data, [d.inputs, d.outputs])
            if let b = d.bias {
                return (node("Gemm", [x, w, constant("\(name).bias", b.data, [d.outputs])]), false)
            }
            return (node("MatMul", [x, w]), false)
        case let c as Conv2D:
            let (o, k, i) = (c.outChannels, c.kernel, c.inChannels)
            var oihw = [Float](repeating: 0, count: o * i * k * k)
            let src = c.weight.data
            for oc in 0..<o { for ky in 0..<k { for kx in 0..<k { for ic in 0..<i {
                oihw[((oc * i + ic) * k + ky) * k + kx] = src[((oc * k + ky) * k + kx) * i + ic]
            } } } }
            var inputs = [toNCHW(x, nchw), constant("\(name).weight", oihw, [o, i, k, k])]
            if let b = c.bias { inputs.append(constant("\(name).bias", b.data, [o])) }
            let p = c.padding
            return (node("Conv", inputs, attributes: [("kernel_shape", .ints([k, k])), ("strides", .ints([c.stride, c.stride])),
                                                      ("pads", .ints([p, p, p, p]))]), true)
        case let m as MaxPool2D:
            return (node("MaxPool", [toNCHW(x, nchw)], attributes: [("kernel_shape", .ints([m.kernel, m.kernel])),
                                                                    ("strides", .ints([m.stride, m.stride]))]), true)
        case let a as AvgPool2D:
            return (node("AveragePool", [toNCHW(x, nchw)], attributes: [("kernel_shape", .ints([a.kernel, a.kernel])),
                                                                        ("strides", .ints([a.stride, a.stride]))]), true)
        case is GlobalAvgPool2D:
            let pooled = node("GlobalAveragePool", [toNCHW(x, nchw)])
            return (node("Flatten", [pooled], attributes: [("axis", .int(1))]), false)
        case is Flatten:
            return (node("Flatten", [nchw ? toNHWC(x) : x], attributes: [("axis", .int(1))]), false)
        case let b as BatchNorm:
            let c = b.features
            let inputs = [constant("\(name).gamma", b.gamma.data, [c]), constant("\(name).beta", b.beta.data, [c]),
                          constant("\(name).running_mean", b.runningMean.data, [c]), constant("\(name).running_var", b.runningVar.data, [c])]
            if nchw {
                return (node("BatchNormalization", [x] + inputs, attributes: [("epsilon", .float(b.epsilon))]), true)
            }
            // [N, F]: the features are the channels of a [N, F, 1] tensor... BatchNormalization
            // takes [N, C, ...]; a 2-D input is [N, C] already.
            return (node("BatchNormalization", [x] + inputs, attributes: [("epsilon", .float(b.epsilon))]), false)
        case let l as LayerNorm:
            let inputs = [constant("\(name).gain", l.gain.data, [l.features]), constant("\(name).bias", l.bias.data, [l.features])]
            if nchw {
                let y = node("LayerNormalization", [toNHWC(x)] + inputs, attributes: [("axis", .int(-1)), ("epsilon", .float(l.epsilon))])
                return (toNCHW(y, false), true)
            }
            return (node("LayerNormalization", [x] + inputs, attributes: [("axis", .int(-1)), ("epsilon", .float(l.epsilon))]), false)
        case is Dropout:
            return (x, nchw)
        case let a as Activation:
            return (activation(a.kind, x), nchw)
        case let e as Embedding:
            let ids = node("Cast", [nchw ? toNHWC(x) : x], attributes: [("to", .int(7))])
            let vectors = node("Gather", [constant("\(name).table", e.table.data, [e.vocabulary, e.dim]), ids], attributes: [("axis", .int(0))])
            return (node("Flatten", [vectors], attributes: [("axis", .int(1))]), false)
        case let r as Residual:
            var inner = x, innerNCHW = nchw
            for (j, l) in r.inner.layers.enumerated() { (inner, innerNCHW) = try self.layer(l, inner, nchw: innerNCHW, name: "\(name).inner.\(j)") }
            var skip = x, skipNCHW = nchw
            if let p = r.projection { (skip, skipNCHW) = try self.layer(p, x, nchw: nchw, name: "\(name).projection") }
            if innerNCHW != skipNCHW {
                if innerNCHW { inner = toNHWC(inner) } else { skip = toNHWC(skip) }
                innerNCHW = false
            }
            return (binary("Add", inner, skip), innerNCHW)
        case let s as Sequential:
            var (y, n) = (x, nchw)
            for (j, l) in s.layers.enumerated() { (y, n) = try self.layer(l, y, nchw: n, name: "\(name).\(j)") }
            return (y, n)
        default:
            throw ONNXExportError(description: "layer '\(layer.layerName)' has no ONNX export yet")
        }
    }

    mutating func activation(_ kind: ActivationKind, _ x: String) -> String {
        switch kind {
        case .relu: return node("Relu", [x])
        case .leakyRelu: return node("LeakyRelu", [x], attributes: [("alpha", .float(0.01))])
        case .elu: return node("Elu", [x], attributes: [("alpha", .float(1))])
        case .tanh: return node("Tanh", [x])
        case .sigmoid: return node("Sigmoid", [x])
        case .identity: return x
        case .gelu:
            let scaled = binary("Div", x, constant("sqrt2", [Float(2).squareRoot()], []))
            let erf = node("Erf", [scaled])
            let one = binary("Add", erf, constant("one", [1], []))
            let half = binary("Mul", x, constant("half", [0.5], []))
            return binary("Mul", half, one)
        }
    }
}
