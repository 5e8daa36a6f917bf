// The models' vocabulary as Training defines it, for parsing sweep files in these tests.
import Search

enum TestVocabulary {
    static let common: Set<String> = ["learning_rate", "optimizer", "momentum", "nesterov", "weight_decay", "batch_size",
                                      "clip_norm", "schedule", "warmup_epochs", "label_smoothing", "dropout", "activation",
                                      "batch_norm", "init", "beta1", "beta2", "augment"]
    static let models: ModelVocabulary = [
        "mlp": common.union(["width", "depth"]),
        "cnn": common.union(["conv_blocks", "channels", "kernel", "dense_width"]),
    ]

    /// Parses `yaml` as `file` with the test vocabulary.
    static func parse(_ yaml: String, file: String = "test.yaml") throws -> SweepSpec {
        try SweepSpec.parse(yaml: yaml, file: file, vocabulary: models)
    }

    /// The SweepSpecError that parsing `yaml` throws, or nil (after failing the test) when it parses.
    static func error(_ yaml: String, file: String = "test.yaml") -> SweepSpecError? {
        do {
            _ = try parse(yaml, file: file)
            return nil
        } catch {
            return error as? SweepSpecError
        }
    }
}
