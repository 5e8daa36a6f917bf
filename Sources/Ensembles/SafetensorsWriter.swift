// SafetensorsWriter: a stored model's parameters and buffers in the safetensors format
// (huggingface/safetensors: an 8-byte little-endian header length, a JSON header naming each
// tensor's dtype, shape and byte range, then the raw little-endian data), with the architecture,
// preprocessing and class names as string metadata (`__metadata__`, which holds strings only).
// Names are hpsearch's layer paths (`1.weight`, `4.inner.0.running_mean`); an ensemble's members
// are `members.<k>.<path>`, k in the metadata's `members` order. Layouts are hpsearch's own:
// dense weights [in, out], conv2d weights [out, kernel, kernel, in] over NHWC images.
import Foundation
import NN
import TensorCore

public enum SafetensorsWriter {
    /// The file's bytes: every member's named parameters and buffers, with `metadata`.
    public static func encode(_ model: StoredModel, metadata: [String: String]) throws -> [UInt8] {
        var tensors: [(String, Tensor)] = []
        for (k, m) in model.members.enumerated() {
            let prefix = model.members.count == 1 ? "" : "members.\(k)."
            tensors += (m.model.namedParameters + m.model.namedBuffers).map { (prefix + $0.0, $0.1) }
        }
        return try encode(tensors, metadata: metadata)
    }

    /// `tensors` (float32) in order, with `metadata`.
    public static func encode(_ tensors: [(String, Tensor)], metadata: [String: String]) throws -> [UInt8] {
        var header: [String: Any] = ["__metadata__": metadata]
        var data: [UInt8] = []
        for (name, t) in tensors {
            guard header[name] == nil else { throw ONNXExportError(description: "two tensors named \(name)") }
            let start = data.count
            t.data.withUnsafeBufferPointer { data.append(contentsOf: UnsafeRawBufferPointer($0)) }
            header[name] = ["dtype": "F32", "shape": t.shape, "data_offsets": [start, data.count]]
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Padded with spaces so that the data starts 8-byte aligned (as the reference writer does).
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        var out: [UInt8] = []
        out.reserveCapacity(8 + json.count + data.count)
        let n = UInt64(json.count)
        for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: n >> (8 * UInt64(i)))) }
        out.append(contentsOf: json)
        out.append(contentsOf: data)
        return out
    }

    /// The layers of `layer` as JSON-ready objects: path, layer kind, arguments, and the inner
    /// layers of a residual (and its projection).
    public static func architecture(_ layer: any Layer, path: String = "") -> [[String: Any]] {
        if let s = layer as? Sequential {
            return s.layers.enumerated().map { i, l in
                let p = path.isEmpty ? "\(i)" : "\(path).\(i)"
                var entry: [String: Any] = ["path": p, "layer": l.layerName, "arguments": l.layerArguments]
                if let r = l as? Residual {
                    entry["inner"] = architecture(r.inner, path: p + ".inner")
                    if let proj = r.projection {
                        entry["projection"] = ["path": p + ".projection", "layer": proj.layerName, "arguments": proj.layerArguments]
                    }
                }
                return entry
            }
        }
        return [["path": path, "layer": layer.layerName, "arguments": layer.layerArguments]]
    }
}
