// SweepFileParser+Layers: `model: {layers: […]}` — the layer list's YAML → LayerSpec, with every
// mistake at its line and column: unknown kinds and arguments (did you mean), missing arguments,
// malformed expressions, literals out of range, `repeat` without `layers`, an empty `residual`;
// then, once the parameters are known, `${name}`s that name none.
import Yams

extension SweepFileParser {
    /// `model: NAME` (a vocabulary key) or `model: {layers: [...]}` (→ `LayerSpec.modelName` and the tree).
    func modelSpec(_ field: YAMLField) throws -> (name: String, layers: LayerSpec?) {
        switch field.node {
        case .mapping:
            let m = try field.mapping(allowed: ["layers"])
            let layersField = try m.required("layers", "the model's layer list, e.g. layers: [{dense: {units: 128}}, relu]")
            return (LayerSpec.modelName, LayerSpec(layers: try layerList(layersField),
                                                   location: layersField.keyLocation ?? layersField.location))
        case .sequence:
            throw field.error("'model' is a list; put the layers under `layers:` (model: {layers: [...]}) "
                              + "or name a model (\(YAMLField.list(modelNames, "or")))")
        default:
            return (try modelName(field), nil)
        }
    }

    /// The models `model:` can name (the vocabulary's keys but the reserved `layers`).
    var modelNames: [String] { vocabulary.keys.filter { $0 != LayerSpec.modelName }.sorted() }

    /// The trainer's own parameters, which a layer-list model accepts besides those its layers
    /// reference: the vocabulary's `layers` entry when it has one, else the parameters every model accepts.
    var trainerVocabulary: Set<String> {
        if let own = vocabulary[LayerSpec.modelName] { return own }
        let sets = vocabulary.values
        guard let first = sets.first else { return [] }
        return sets.dropFirst().reduce(first) { $0.intersection($1) }
    }

    func layerList(_ field: YAMLField) throws -> [LayerNode] {
        if case .scalar = field.node, field.tagName == .null { return try emptyList(field) }
        let items = try field.list()
        guard !items.isEmpty else { return try emptyList(field) }
        return try items.map(layer)
    }

    private func emptyList(_ field: YAMLField) throws -> [LayerNode] {
        let what = field.path.hasSuffix("residual") ? "the layers whose output is added to the block's input"
            : field.path.hasSuffix("].layers") ? "the layers to repeat" : "at least one layer"
        throw field.keyError("\(field.name) is empty; list \(what), e.g. - dense: {units: 64}")
    }

    private func layer(_ item: YAMLField) throws -> LayerNode {
        let expected = "a layer: a name such as relu or batch_norm, or a mapping such as {dense: {units: 64}}"
        switch item.node {
        case .scalar:
            guard item.tagName == .str else { throw item.mismatch(expected) }
            let name = try item.string()
            return try layer(named: name, value: nil, in: nil, at: item)
        case .mapping:
            let m = try item.mapping(allowed: nil)
            guard !m.entries.isEmpty else { throw item.mismatch(expected) }
            if m["repeat"] == nil, let layers = m["layers"] {
                throw layers.keyError("'layers' inside a layer list belongs to a repeat; add `repeat: N` beside it "
                                      + "(or, for a nested model, list the layers directly)")
            }
            let (key, value) = m["repeat"].map { ("repeat", $0) } ?? m.entries[0]
            return try layer(named: key, value: value, in: m, at: item)
        default:
            throw item.mismatch(expected)
        }
    }

    /// The layer whose kind is written as `name` (a bare string when `value` is nil, else a key).
    private func layer(named name: String, value: YAMLField?, in m: YAMLMapping?, at item: YAMLField) throws -> LayerNode {
        let location = value?.keyLocation ?? item.location
        let isActivationName = LayerKind.activationNames.contains(name)
        guard let kind = isActivationName ? .activation : LayerKind(rawValue: name) else {
            throw SweepSpecError(location: location, message: "unknown layer '\(name)'" + NameSuggestion.hint(
                name, among: LayerKind.allNames, aliases: LayerKind.aliases,
                then: "expected one of " + LayerKind.allNames.joined(separator: ", ")))
        }
        let path = value?.path ?? item.path
        if let m {
            let allowed = kind == .repeat ? ["repeat", "layers"] : [name]
            if let (extra, field) = m.entries.first(where: { !allowed.contains($0.key) }) {
                if kind.arguments.contains(where: { $0.name == extra }) {
                    throw field.keyError("'\(extra)' is written beside '\(name)', not under it; indent it under "
                                         + "\(name) (or write - \(name): {\(extra): …})")
                }
                throw field.keyError("a layer is one key, its kind ('\(name)' here), but this item also has '\(extra)'; "
                                     + "start each layer on its own line with '- '")
            }
        }
        var node = LayerNode(kind: kind, location: location)
        switch kind {
        case .activation where isActivationName:
            try noArguments(value, of: name)
            node.arguments["function"] = LayerValue(expression: .word(name), path: path, location: location)
        case .activation:
            guard let value, case .scalar = value.node, value.tagName != .null else {
                throw (value ?? item).keyError("activation needs a function: \(YAMLField.list(LayerKind.activationNames, "or")) "
                                               + "or ${parameter}, e.g. - activation: relu")
            }
            node.arguments["function"] = try argument(value, as: .activation)
        case .residual:
            guard let value else {
                throw item.error("residual needs its layers, those whose output is added to the block's input, "
                                 + "e.g. - residual: [{dense: {units: 64}}, relu]")
            }
            node.children = try layerList(value)
        case .repeat:
            guard let value, let m else {
                throw item.error("repeat needs a count and `layers:` beside it, e.g. - repeat: 3 with layers: [...] on the next line")
            }
            node.arguments["count"] = try argument(value, as: .count)
            guard let layers = m["layers"] else {
                throw value.keyError("repeat needs `layers:` beside it (at the same indentation as 'repeat'): the layers "
                                     + "to repeat \(node.arguments["count"]!) times")
            }
            node.children = try layerList(layers)
        default:
            let arguments = kind.arguments
            guard !arguments.isEmpty else {
                try noArguments(value, of: name)
                return node
            }
            let example = arguments.first?.help ?? ""
            guard let value, !(value.tagName == .null) else {
                throw SweepSpecError(location: location, message: "\(name) needs its arguments, "
                                     + YAMLField.list(arguments.filter(\.isRequired).map(\.name), "and") + ": \(example)")
            }
            guard case .mapping = value.node else {
                throw value.error("\(name) takes a mapping of arguments, \(example); got \(value.found)")
            }
            let names = arguments.map(\.name)
            for (key, field) in try value.mapping(allowed: nil).entries {
                guard let spec = arguments.first(where: { $0.name == key }) else {
                    throw field.keyError("unknown argument '\(key)' for \(name)" + NameSuggestion.hint(
                        key, among: names, then: "\(name) takes " + YAMLField.list(names, "and")))
                }
                node.arguments[key] = try argument(field, as: spec.type)
            }
            if let missing = arguments.first(where: { $0.isRequired && node.arguments[$0.name] == nil }) {
                throw SweepSpecError(location: location, message: "\(name) is missing its argument '\(missing.name)': \(missing.help)")
            }
        }
        return node
    }

    private func noArguments(_ value: YAMLField?, of name: String) throws {
        guard let value, value.tagName != .null else { return }
        if case .mapping(let m) = value.node, m.isEmpty { return }
        throw value.error("\(name) takes no arguments; write it alone as - \(name)")
    }

    /// One argument's value: a YAML number, or a string parsed as an expression (columns inside it
    /// counted from its first character). A value without parameters is checked at once.
    private func argument(_ field: YAMLField, as type: LayerValue.ArgumentType) throws -> LayerValue {
        guard case .scalar(let scalar) = field.node else {
            throw field.mismatch("a number, a name or an expression such as \"${channels} * 2\"")
        }
        let expression: LayerExpression
        switch field.tagName {
        case .int, .float:
            expression = .number(try field.number())
        case .str:
            let quoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
            var origin = field.location
            if quoted { origin.column += 1 }
            expression = try LayerExpressionParser.parse(scalar.string, at: origin, name: field.name)
        default:
            throw field.mismatch("a number, a name or an expression such as \"${channels} * 2\"")
        }
        if case .word(let w) = expression, type == .count || type == .rate {
            throw field.error("\(field.name) is the name '\(w)'; expected a number or an expression, and a sampled "
                              + "parameter is written ${\(w)}")
        }
        let value = LayerValue(expression: expression, path: field.path, location: field.location)
        if expression.references.isEmpty { _ = try value.evaluate(as: type, in: Configuration()) }
        return value
    }

    /// Each `${name}` names a parameter under `parameters:` (when that is a mapping) that every
    /// trial has (no `when`); throws at the first that does not.
    func checkReferences(_ layers: LayerSpec, names: [String], conditional: Set<String> = []) throws {
        for r in layers.references {
            if !names.contains(r.name) {
                throw SweepSpecError(location: r.location, message: "${\(r.name)} names no parameter under 'parameters'"
                    + NameSuggestion.hint(r.name, among: names, then: names.isEmpty ? "add it there"
                        : "add it there or use one of " + names.joined(separator: ", ")))
            }
            if conditional.contains(r.name) {
                throw SweepSpecError(location: r.location, message: "${\(r.name)} names a parameter with `when`, which "
                                     + "some trials lack; a layer needs a value in every trial, so remove its `when`")
            }
        }
    }
}

extension LayerSpec {
    /// Parses a layer list written on its own — a YAML list as under `model: layers:`, such as a
    /// built-in model's preset — whose `${…}` may name `parameters`. Errors are at `file`'s lines.
    public static func parse(yaml: String, file: String, parameters: [String]) throws -> LayerSpec {
        let root: Node?
        do { root = try Yams.compose(yaml: yaml) } catch { throw SweepSpecError(yaml: error, file: file, text: yaml) }
        guard let root else {
            throw SweepSpecError(location: SourceLocation(file: file, line: 0, column: 0),
                                 message: "the layer list is empty; list at least one layer")
        }
        let parser = SweepFileParser(file: file, text: yaml, vocabulary: [:])
        let field = YAMLField(node: root, path: "layers", file: file, keyLocation: nil)
        let spec = LayerSpec(layers: try parser.layerList(field), location: field.location)
        try parser.checkReferences(spec, names: parameters)
        return spec
    }
}
