package org.sparrowmesh.encoder.http;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.sparrowmesh.encoder.embedding.InputType;

/**
 * An OpenAI {@code POST /v1/embeddings} request, parsed by hand from the raw body so that every
 * mistake — bytes that are not UTF-8, JSON that does not parse, a field of the wrong type — gets
 * a 400 in OpenAI's error shape naming the field.
 *
 * @param input          the texts ({@code input}: one string or an array of strings)
 * @param model          the model the client asked for, or null (any name is accepted: this
 *                       service has one model and answers with its real name)
 * @param encodingFormat {@code float} (default) or {@code base64}
 * @param dimensions     the dimension the client expects, or null
 * @param inputType      {@code query} or {@code passage} (an extension for prefix models; default passage)
 */
public record EmbeddingsRequest(List<String> input, String model, EncodingFormat encodingFormat, Integer dimensions,
        InputType inputType) {

    /**
     * Parses the body.
     *
     * @throws InvalidRequestException for anything a client must fix
     */
    public static EmbeddingsRequest parse(byte[] body, ObjectMapper json) {
        JsonNode root = readJson(decodeUtf8(body), json);
        if (root == null || !root.isObject()) {
            throw new InvalidRequestException("the request body must be a JSON object with an \"input\" field", null);
        }
        return new EmbeddingsRequest(input(root.get("input")), optionalText(root, "model"),
                encodingFormat(optionalText(root, "encoding_format")), dimensions(root.get("dimensions")),
                inputType(optionalText(root, "input_type")));
    }

    private static String decodeUtf8(byte[] body) {
        CharsetDecoder strict = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer bytes = ByteBuffer.wrap(body);
        try {
            CharBuffer chars = strict.decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new InvalidRequestException("the request body is not valid UTF-8 (bad byte sequence at byte "
                    + bytes.position() + ")", null);
        }
    }

    private static JsonNode readJson(String text, ObjectMapper json) {
        if (text.isBlank()) {
            throw new InvalidRequestException("the request body is empty; send a JSON object with an \"input\" field", null);
        }
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            var where = e.getLocation();
            throw new InvalidRequestException("the request body is not valid JSON: " + e.getOriginalMessage()
                    + (where == null ? "" : " (line " + where.getLineNr() + ", column " + where.getColumnNr() + ")"), null);
        }
    }

    private static List<String> input(JsonNode input) {
        if (input == null || input.isNull()) {
            throw new InvalidRequestException("\"input\" is required: a string or an array of strings", "input");
        }
        if (input.isTextual()) {
            return List.of(input.textValue());
        }
        if (!input.isArray()) {
            throw new InvalidRequestException("\"input\" must be a string or an array of strings, got "
                    + input.getNodeType().name().toLowerCase(), "input");
        }
        List<String> texts = new ArrayList<>(input.size());
        for (int i = 0; i < input.size(); i++) {
            JsonNode item = input.get(i);
            if (!item.isTextual()) {
                throw new InvalidRequestException("\"input\"[" + i + "] must be a string"
                        + (item.isNumber() || item.isArray() ? " (token arrays are not accepted: send the text)" : "")
                        + ", got " + item.getNodeType().name().toLowerCase(), "input");
            }
            texts.add(item.textValue());
        }
        return texts;
    }

    private static String optionalText(JsonNode root, String field) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new InvalidRequestException("\"" + field + "\" must be a string", field);
        }
        return node.textValue();
    }

    private static EncodingFormat encodingFormat(String value) {
        if (value == null || value.equals("float")) {
            return EncodingFormat.FLOAT;
        }
        if (value.equals("base64")) {
            return EncodingFormat.BASE64;
        }
        throw new InvalidRequestException("\"encoding_format\" must be \"float\" or \"base64\", got \"" + value + "\"",
                "encoding_format");
    }

    private static Integer dimensions(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isInt()) {
            throw new InvalidRequestException("\"dimensions\" must be an integer", "dimensions");
        }
        return node.intValue();
    }

    private static InputType inputType(String value) {
        if (value == null) {
            return InputType.PASSAGE;
        }
        try {
            return InputType.parse(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(e.getMessage(), "input_type");
        }
    }
}
