// `hpsearch export-model`: a sweep's model (trial, ensemble or distilled student) out of the run
// directory, as one ONNX graph with the preprocessing inside, or as safetensors; with a model card.
import ArgumentParser
import Ensembles
import Foundation
import Storage

struct ExportModel: ParsableCommand {
    enum Format: String, ExpressibleByArgument, CaseIterable { case onnx, safetensors }

    static let configuration = CommandConfiguration(
        commandName: "export-model",
        abstract: "Export a sweep's model as ONNX (preprocessing included) or safetensors, with a model card FILE.json.",
        discussion: """
        The model: the newest ensemble, else the best trial; --trial N, --ensemble [ID] or --student picks another. \
        onnx (opset 17): one graph from raw input to the output; input `input` float32 [N, H, W, C] raw pixels for \
        images, [N, columns] raw numeric columns for tables (NaN = missing; medians and missing indicators applied in \
        the graph; a table with categorical columns takes its encoded features, as the card's feature_names list \
        them); output `probabilities` [N, classes] (an ensemble's members averaged with their weights in the graph), \
        or `predictions` [N, targets] in the targets' units for task: regression. safetensors: every parameter and \
        buffer by its layer path (`1.weight`; an ensemble's members as `members.<k>.<path>`), float32, in hpsearch's \
        layouts (dense [in, out], conv2d [out, kernel, kernel, in] over NHWC images), with string metadata: format, \
        hpsearch_version, architecture (JSON: per member its layers), preprocessing (the fitted transform's JSON), \
        class_names, target_names (JSON arrays), members (JSON: trial, weight, configuration), layout. The model card \
        FILE.json, JSON keys: format, file, hpsearch_version, model, kind (trial | ensemble | student), sweep, \
        sweep_seed, task, metric, ensemble_id, method, members ([{trial, weight, configuration, params, \
        flops_per_example, run_directory, best_epoch, epochs, state}]), configuration (one model), metrics \
        ({validation, test}: accuracy, nll, brier, ece, rows; regression: rmse, mae, r2, rows), data_fingerprint \
        (FNV-1a of what was fitted on the training split), data_source, input ({name, shape, dtype, description}), \
        output ({name, shape, names}), feature_names, class_names, target_names, created_at.
        """
    )

    @Argument(help: "The run directory.")
    var runDirectory: String

    @OptionGroup var model: ModelChoiceOptions

    @Option(help: "onnx or safetensors.")
    var format: Format

    @Option(name: .shortAndLong, help: "The file to write (the model card goes to FILE.json).")
    var output: String

    func run() throws {
        let stored = try StoredModel.load(runDirectory, choice: model.choice)
        let version = HPSearch.configuration.version
        let bytes: [UInt8]
        let t = stored.transform
        let outputName = stored.isRegression ? "predictions" : "probabilities"
        var input: [String: Any] = ["name": "input", "dtype": "float32", "shape": ["N"] + ONNXExporter.inputShape(t)]
        switch format {
        case .onnx:
            var exporter = ONNXExporter(model: stored)
            bytes = try exporter.export(producerVersion: version, metadata: [("hpsearch_model", stored.name)])
            input["description"] = t.imageShape != nil ? "raw pixel values, NHWC"
                : (t.columns.contains { $0.kind == .categorical } ? "encoded features (one-hot, indicators; numeric raw) in feature_names order"
                    : (t.columns.isEmpty ? "raw features" : "raw numeric columns (NaN = missing) in the training file's order"))
        case .safetensors:
            bytes = try SafetensorsWriter.encode(stored, metadata: try metadata(stored, version: version))
            input["description"] = "not in the file: apply `preprocessing` (the fitted transform) to raw data, then the layers in `architecture`"
        }
        let card = try ModelCard.json(stored, format: format.rawValue, file: output, version: version, input: input,
                                      output: ["name": outputName, "shape": ["N", stored.outputCount],
                                               "names": stored.isRegression ? stored.targetNames : stored.classNames])
        let cardBytes = try JSONSerialization.data(withJSONObject: card, options: [.sortedKeys, .prettyPrinted])
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: output), options: .atomic)
            try cardBytes.write(to: URL(fileURLWithPath: output + ".json"), options: .atomic)
        } catch {
            throw ValidationError("cannot write \(output): \(error.localizedDescription); check that its folder exists and is writable")
        }
        print(String(format: "exported %@ as %@: %@ (%@), model card %@.json", stored.name, format.rawValue, output,
                     ByteCountFormatter.string(fromByteCount: Int64(bytes.count), countStyle: .file), output))
    }

    func metadata(_ m: StoredModel, version: String) throws -> [String: String] {
        func text(_ value: Any) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
        }
        return [
            "format": "hpsearch", "hpsearch_version": version, "model": m.name,
            "architecture": try text(m.members.map { SafetensorsWriter.architecture($0.model) }),
            "preprocessing": String(decoding: try m.transform.json(), as: UTF8.self),
            "class_names": try text(m.classNames), "target_names": try text(m.targetNames),
            "members": try text(m.members.map { ["trial": $0.trial, "weight": $0.weight, "configuration": $0.configuration.values.mapValues(\.jsonValue)] as [String: Any] }),
            "layout": "dense weight [in, out]; conv2d weight [out, kernel, kernel, in]; images NHWC",
        ]
    }
}
