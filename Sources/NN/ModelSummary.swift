// ModelSummary: a network's per-layer table (name, arguments, output shape, parameters, FLOPs
// per example) for an input shape, counted by the layers themselves — the data behind
// `hpsearch train --summary`, in the manner of Keras' summary() and torchinfo.
import TensorCore

/// One row of a model summary.
public struct LayerSummary: Equatable, Sendable {
    /// The prefix of the layer's parameter names: "3", "3.inner.0", "3.projection".
    public var key: String
    /// 0 for the model's own layers, 1 for the layers inside a residual or nested sequential, ….
    public var depth: Int
    /// The layer-language name (`dense`, `conv2d`, `residual`, …) and its arguments in words.
    public var name: String, arguments: String
    /// One example's output shape (no batch dimension).
    public var outputShape: [Int]
    /// Trainable scalars, and forward FLOPs per example; a container's row includes its layers'.
    public var parameters: Int, flops: Int

    public init(key: String, depth: Int, name: String, arguments: String, outputShape: [Int], parameters: Int, flops: Int) {
        (self.key, self.depth, self.name, self.arguments) = (key, depth, name, arguments)
        (self.outputShape, self.parameters, self.flops) = (outputShape, parameters, flops)
    }
}

/// A network's layers for one input shape. The rows of depth 0 add up to the totals.
public struct ModelSummary: Equatable, Sendable, CustomStringConvertible {
    /// One example's input and output shapes.
    public var input: [Int], output: [Int]
    /// Every layer, containers followed by their layers (depth + 1).
    public var rows: [LayerSummary]
    /// Trainable scalars of the whole network (= `parameterCount`).
    public var parameters: Int
    /// Forward FLOPs per example of the whole network.
    public var flopsPerExample: Int

    /// A plain-text table, one line per row (nested layers indented), then the totals.
    public var description: String {
        let header = ["layer", "arguments", "output", "parameters", "FLOPs"]
        let body = rows.map { r in
            [String(repeating: "  ", count: r.depth) + r.key + " " + r.name, r.arguments,
             LayerShapeError.shapeText(r.outputShape), String(r.parameters), String(r.flops)]
        }
        let all = [header] + body
        let widths = (0..<header.count).map { c in all.map { $0[c].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, s in
                let pad = String(repeating: " ", count: widths[c] - s.count)
                return c >= 3 ? pad + s : s + pad   // numbers right-aligned
            }.joined(separator: "  ")
        }
        var lines = [line(header), String(repeating: "-", count: widths.reduce(0, +) + 2 * (widths.count - 1))]
        lines += body.map(line)
        lines.append("input \(LayerShapeError.shapeText(input)) → output \(LayerShapeError.shapeText(output)); "
                     + "\(parameters) parameters, \(flopsPerExample) FLOPs per example")
        return lines.joined(separator: "\n")
    }
}

extension Sequential {
    /// The summary of this network for inputs of example shape `input` (no batch dimension);
    /// throws the first layer's `LayerShapeError` (with its path) when a layer cannot take its input.
    public func summary(input: [Int]) throws(LayerShapeError) -> ModelSummary {
        var rows: [LayerSummary] = []
        let output = try Sequential.appendRows(of: self, prefix: "", depth: 0, input: input, to: &rows)
        return ModelSummary(input: input, output: output, rows: rows, parameters: parameterCount,
                            flopsPerExample: flopsPerExample(for: input))
    }

    /// Appends a row per layer of `stack` (and the rows inside residuals and nested stacks);
    /// returns the stack's output shape.
    static func appendRows(of stack: Sequential, prefix: String, depth: Int, input: [Int],
                           to rows: inout [LayerSummary]) throws(LayerShapeError) -> [Int] {
        var shape = input
        for (i, layer) in stack.layers.enumerated() {
            let key = prefix + String(i)
            let output: [Int]
            do throws(LayerShapeError) {
                output = try layer.outputShape(for: shape)
            } catch {
                throw error.inside(i)
            }
            rows.append(LayerSummary(key: key, depth: depth, name: layer.layerName, arguments: layer.layerArguments,
                                     outputShape: output, parameters: layer.parameterCount,
                                     flops: layer.flopsPerExample(for: shape)))
            // Containers: their layers follow, one level deeper (their shapes were checked above).
            if let nested = layer as? Sequential {
                _ = try? appendRows(of: nested, prefix: key + ".", depth: depth + 1, input: shape, to: &rows)
            } else if let residual = layer as? Residual {
                _ = try? appendRows(of: residual.inner, prefix: key + ".inner.", depth: depth + 1, input: shape, to: &rows)
                if let p = residual.projection, let out = try? p.outputShape(for: shape) {
                    rows.append(LayerSummary(key: key + ".projection", depth: depth + 1, name: p.layerName,
                                             arguments: p.layerArguments, outputShape: out, parameters: p.parameterCount,
                                             flops: p.flopsPerExample(for: shape)))
                }
            }
            shape = output
        }
        return shape
    }
}
