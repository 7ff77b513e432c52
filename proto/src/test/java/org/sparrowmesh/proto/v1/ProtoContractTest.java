package org.sparrowmesh.proto.v1;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumDescriptorProto;
import com.google.protobuf.DescriptorProtos.EnumValueDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.MethodDescriptorProto;
import com.google.protobuf.DescriptorProtos.ServiceDescriptorProto;
import com.google.protobuf.DescriptorProtos.SourceCodeInfo;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.Duration;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Holds the house rules of the v1 API (STYLE.md, "From huggingface/text-generation-inference"):
 * a comment on every element, prefixed enum values with a meaningful zero, spelled-out names,
 * the service shapes of DESIGN §3, and wire compatibility of the event stream.
 *
 * <p>Comments are not in the generated Java descriptors, so the rules on comments read the
 * FileDescriptorSet that protobuf-maven-plugin writes with source info; its path arrives in
 * the system property {@value #DESCRIPTOR_SET_PROPERTY} (set by the module's surefire
 * configuration).
 */
class ProtoContractTest {

  static final String DESCRIPTOR_SET_PROPERTY = "sparrowmesh.descriptor.set";
  static final String PACKAGE = "sparrowmesh.v1";
  static final String PACKAGE_PATH = "sparrowmesh/v1/";

  static final Set<String> EXPECTED_FILES =
      Set.of("common", "chat", "decoder", "encoder", "retrieval", "ranker", "events").stream()
          .map(name -> PACKAGE_PATH + name + ".proto")
          .collect(Collectors.toSet());

  // Field numbers of descriptor.proto, the components of a SourceCodeInfo.Location path.
  static final int FILE_MESSAGE_TYPE = 4;
  static final int FILE_ENUM_TYPE = 5;
  static final int FILE_SERVICE = 6;
  static final int MESSAGE_FIELD = 2;
  static final int MESSAGE_NESTED_TYPE = 3;
  static final int MESSAGE_ENUM_TYPE = 4;
  static final int MESSAGE_ONEOF = 8;
  static final int ENUM_VALUE = 2;
  static final int SERVICE_METHOD = 2;

  /**
   * Name segments that abbreviate what public names must spell out. Well-known terms of the
   * trade stay allowed: id, url, bos (GGUF's own key name), bm25, and the sampling parameters
   * top_k, top_p, min_p named after the papers and every LLM API.
   */
  static final Set<String> ABBREVIATIONS =
      Set.of(
          "doc", "docs", "msg", "msgs", "num", "cnt", "idx", "len", "tok", "toks", "prob",
          "probs", "logprob", "logprobs", "temp", "cfg", "conf", "req", "resp", "ms", "ns", "us",
          "sec", "secs", "ts", "dur", "kv", "vocab", "param", "params", "dim", "dims", "emb",
          "seq", "ctx", "info", "stats", "n");

  static final Set<String> ALLOWED_SHORT_FIELD_NAMES = Set.of("top_k", "top_p", "min_p");

  static final Pattern PASCAL_CASE = Pattern.compile("[A-Z][A-Za-z0-9]*");
  static final Pattern LOWER_SNAKE_CASE = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");
  static final Pattern SCREAMING_SNAKE_CASE = Pattern.compile("[A-Z][A-Z0-9]*(_[A-Z0-9]+)*");

  static List<FileDescriptorProto> files;

  @BeforeAll
  static void loadDescriptorSet() throws IOException {
    String location = System.getProperty(DESCRIPTOR_SET_PROPERTY);
    assertThat(location)
        .as("system property %s (the descriptor set protobuf-maven-plugin writes; run through"
                + " Maven, or pass -D%s=...)", DESCRIPTOR_SET_PROPERTY, DESCRIPTOR_SET_PROPERTY)
        .isNotBlank();
    Path path = Path.of(location);
    assertThat(path).as("descriptor set").isRegularFile();
    try (InputStream in = Files.newInputStream(path)) {
      files =
          FileDescriptorSet.parseFrom(in).getFileList().stream()
              .filter(file -> file.getName().startsWith(PACKAGE_PATH))
              .toList();
    }
  }

  // ---------------------------------------------------------------------------------------
  // Files
  // ---------------------------------------------------------------------------------------

  @Test
  void theDescriptorSetHoldsEveryFileOfThePackageAndOnlyThose() {
    assertThat(files).extracting(FileDescriptorProto::getName)
        .containsExactlyInAnyOrderElementsOf(EXPECTED_FILES);
  }

  @Test
  void everyFileIsProto3InThePackageWithItsOwnJavaOptions() {
    Set<String> outerClassNames = new HashSet<>();
    for (FileDescriptorProto file : files) {
      assertThat(file.getSyntax()).as("syntax of %s", file.getName()).isEqualTo("proto3");
      assertThat(file.getPackage()).as("package of %s", file.getName()).isEqualTo(PACKAGE);
      assertThat(file.getOptions().getJavaMultipleFiles())
          .as("java_multiple_files of %s", file.getName()).isTrue();
      assertThat(file.getOptions().getJavaPackage())
          .as("java_package of %s", file.getName()).isEqualTo("org.sparrowmesh.proto.v1");
      assertThat(file.getOptions().hasJavaOuterClassname())
          .as("explicit java_outer_classname in %s", file.getName()).isTrue();
      assertThat(file.getOptions().getJavaOuterClassname())
          .as("java_outer_classname of %s", file.getName()).endsWith("Proto");
      assertThat(outerClassNames.add(file.getOptions().getJavaOuterClassname()))
          .as("java_outer_classname of %s is unique", file.getName()).isTrue();
    }
  }

  // ---------------------------------------------------------------------------------------
  // Comments
  // ---------------------------------------------------------------------------------------

  @Test
  void everyServiceRpcMessageFieldOneofEnumAndEnumValueHasALeadingComment() {
    List<String> missing = new ArrayList<>();
    int checked = 0;
    for (FileDescriptorProto file : files) {
      Map<List<Integer>, String> comments = leadingComments(file.getSourceCodeInfo());
      List<Element> elements = elementsOf(file);
      checked += elements.size();
      for (Element element : elements) {
        String comment = comments.get(element.path());
        if (comment == null || comment.isBlank()) {
          missing.add(file.getName() + ": " + element.kind() + " " + element.name());
        }
      }
    }
    assertThat(checked).as("elements checked (source info present?)").isGreaterThan(300);
    assertThat(missing).as("elements without a leading comment").isEmpty();
  }

  @Test
  void everyRpcCommentNamesTheStatusCodesOfBadInputOverloadMissingModelAndDeadline() {
    List<String> incomplete = new ArrayList<>();
    for (FileDescriptorProto file : files) {
      Map<List<Integer>, String> comments = leadingComments(file.getSourceCodeInfo());
      for (int s = 0; s < file.getServiceCount(); s++) {
        ServiceDescriptorProto service = file.getService(s);
        for (int m = 0; m < service.getMethodCount(); m++) {
          String comment =
              comments.getOrDefault(List.of(FILE_SERVICE, s, SERVICE_METHOD, m), "");
          for (String code :
              List.of(
                  "INVALID_ARGUMENT",
                  "RESOURCE_EXHAUSTED",
                  "FAILED_PRECONDITION",
                  "DEADLINE_EXCEEDED")) {
            if (!comment.contains(code)) {
              incomplete.add(service.getName() + "." + service.getMethod(m).getName()
                  + " does not say when it returns " + code);
            }
          }
        }
      }
    }
    assertThat(incomplete).isEmpty();
  }

  // ---------------------------------------------------------------------------------------
  // Names
  // ---------------------------------------------------------------------------------------

  @Test
  void everyEnumHasAPrefixedUnspecifiedZeroAndPrefixedValues() {
    List<String> problems = new ArrayList<>();
    int enums = 0;
    for (FileDescriptorProto file : files) {
      for (Element element : elementsOf(file)) {
        if (element.enumType() == null) {
          continue;
        }
        enums++;
        EnumDescriptorProto enumType = element.enumType();
        String prefix = screamingSnakeCase(enumType.getName()) + "_";
        EnumValueDescriptorProto first = enumType.getValue(0);
        if (first.getNumber() != 0 || !first.getName().equals(prefix + "UNSPECIFIED")) {
          problems.add(enumType.getName() + ": first value must be " + prefix
              + "UNSPECIFIED = 0, is " + first.getName() + " = " + first.getNumber());
        }
        for (EnumValueDescriptorProto value : enumType.getValueList()) {
          if (!value.getName().startsWith(prefix)
              || value.getName().length() == prefix.length()
              || !SCREAMING_SNAKE_CASE.matcher(value.getName()).matches()) {
            problems.add(enumType.getName() + ": value " + value.getName()
                + " is not SCREAMING_SNAKE_CASE with prefix " + prefix);
          }
        }
      }
    }
    assertThat(enums).as("enums checked").isGreaterThanOrEqualTo(10);
    assertThat(problems).isEmpty();
  }

  @Test
  void namesFollowTheStyleGuideAndAreSpelledOut() {
    List<String> problems = new ArrayList<>();
    for (FileDescriptorProto file : files) {
      for (Element element : elementsOf(file)) {
        String name = element.shortName();
        switch (element.kind()) {
          case "message", "enum", "service", "rpc" -> {
            if (!PASCAL_CASE.matcher(name).matches()) {
              problems.add(element.kind() + " " + element.name() + " is not PascalCase");
            }
          }
          case "field", "oneof" -> {
            if (!LOWER_SNAKE_CASE.matcher(name).matches()) {
              problems.add(element.kind() + " " + element.name() + " is not lower_snake_case");
            }
            if (!ALLOWED_SHORT_FIELD_NAMES.contains(name)) {
              for (String segment : name.split("_")) {
                if (ABBREVIATIONS.contains(segment)
                    || (segment.length() == 1 && !Character.isDigit(segment.charAt(0)))) {
                  problems.add(element.kind() + " " + element.name()
                      + " abbreviates (segment '" + segment + "'): spell it out");
                }
              }
            }
          }
          default -> { }
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  // ---------------------------------------------------------------------------------------
  // Shapes (DESIGN §3 and §4)
  // ---------------------------------------------------------------------------------------

  /** One rpc as DESIGN §3 sketches it. */
  record Rpc(String name, String input, boolean clientStreaming, String output,
      boolean serverStreaming) {

    static Rpc of(String name, String input, String output) {
      boolean clientStreaming = input.startsWith("stream ");
      boolean serverStreaming = output.startsWith("stream ");
      return new Rpc(name, input.replace("stream ", ""), clientStreaming,
          output.replace("stream ", ""), serverStreaming);
    }

    static Rpc of(MethodDescriptor method) {
      return new Rpc(method.getName(), method.getInputType().getName(),
          method.isClientStreaming(), method.getOutputType().getName(),
          method.isServerStreaming());
    }
  }

  static Stream<Object[]> services() {
    return Stream.of(
        new Object[] {
          ChatGrpc.getServiceDescriptor().getName(),
          ChatProto.getDescriptor().findServiceByName("Chat"),
          List.of(
              Rpc.of("Converse", "stream Turn", "stream TurnEvent"),
              Rpc.of("Ask", "Turn", "stream TurnEvent"))
        },
        new Object[] {
          DecoderGrpc.getServiceDescriptor().getName(),
          DecoderProto.getDescriptor().findServiceByName("Decoder"),
          List.of(
              Rpc.of("Generate", "GenerateRequest", "stream GenerateEvent"),
              Rpc.of("Tokenize", "TokenizeRequest", "TokenizeResponse"),
              Rpc.of("ModelInfo", "ModelInfoRequest", "ModelInfoResponse"))
        },
        new Object[] {
          EncoderGrpc.getServiceDescriptor().getName(),
          EncoderProto.getDescriptor().findServiceByName("Encoder"),
          List.of(
              Rpc.of("Embed", "EmbedRequest", "EmbedResponse"),
              Rpc.of("Info", "EncoderInfoRequest", "EncoderInfoResponse"))
        },
        new Object[] {
          RetrievalGrpc.getServiceDescriptor().getName(),
          RetrievalProto.getDescriptor().findServiceByName("Retrieval"),
          List.of(
              Rpc.of("Search", "SearchRequest", "SearchResponse"),
              Rpc.of("Ingest", "stream Document", "IngestSummary"),
              Rpc.of("Stats", "StatsRequest", "StatsResponse"))
        },
        new Object[] {
          RankerGrpc.getServiceDescriptor().getName(),
          RankerProto.getDescriptor().findServiceByName("Ranker"),
          List.of(Rpc.of("Rank", "RankRequest", "RankResponse"))
        });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("services")
  void eachServiceHasExactlyTheRpcsOfTheDesign(
      String grpcName, ServiceDescriptor service, List<Rpc> expected) {
    assertThat(service).as("service %s", grpcName).isNotNull();
    assertThat(grpcName).isEqualTo(PACKAGE + "." + service.getName());
    assertThat(service.getMethods()).extracting(Rpc::of)
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  @Test
  void thePackageHasExactlyTheFiveServices() {
    assertThat(files.stream().flatMap(file -> file.getServiceList().stream()))
        .extracting(ServiceDescriptorProto::getName)
        .containsExactlyInAnyOrder("Chat", "Decoder", "Encoder", "Retrieval", "Ranker");
  }

  @Test
  void eventStreamsAreOneofsOfTheDesignedVariants() {
    assertThat(oneofFieldNames(TurnEvent.getDescriptor(), "event"))
        .containsExactly(
            "evidence", "candidate_delta", "candidate_done", "ranking", "answer", "status");
    assertThat(oneofFieldNames(GenerateEvent.getDescriptor(), "event"))
        .containsExactly("token_delta", "sample_done", "usage");
    assertThat(oneofFieldNames(GenerateRequest.getDescriptor(), "input"))
        .containsExactly("messages", "prompt");
    assertThat(FinishReason.values()).extracting(Enum::name)
        .contains("FINISH_REASON_UNSPECIFIED", "FINISH_REASON_STOP_STRING",
            "FINISH_REASON_EOS", "FINISH_REASON_LENGTH", "FINISH_REASON_CANCELLED",
            "FINISH_REASON_ERROR");
  }

  @Test
  void optionsThatFallBackToServerDefaultsTrackPresence() {
    for (Descriptor options :
        List.of(
            TurnOptions.getDescriptor(),
            SamplingParameters.getDescriptor(),
            SearchRequest.getDescriptor())) {
      for (FieldDescriptor field : options.getFields()) {
        boolean defaultable = field.getJavaType() != FieldDescriptor.JavaType.STRING
            && field.getJavaType() != FieldDescriptor.JavaType.ENUM
            && !field.isRepeated();
        if (defaultable) {
          assertThat(field.hasPresence())
              .as("%s: 'unset = server default' needs optional (or a message type)",
                  field.getFullName())
              .isTrue();
        }
      }
    }
  }

  @Test
  void kafkaRecordsCarryTheirIdAndTimestamp() {
    Descriptor timestamp = Timestamp.getDescriptor();
    for (Descriptor turnRecord :
        List.of(
            TurnRecorded.getDescriptor(),
            EvidenceFound.getDescriptor(),
            CandidateFinished.getDescriptor(),
            RankingDone.getDescriptor(),
            AnswerChosen.getDescriptor())) {
      assertThat(turnRecord.findFieldByNumber(1).getName())
          .as(turnRecord.getName()).isEqualTo("conversation_id");
      assertThat(turnRecord.findFieldByNumber(2).getName())
          .as(turnRecord.getName()).isEqualTo("turn_id");
      assertThat(turnRecord.findFieldByNumber(3).getName())
          .as(turnRecord.getName()).isEqualTo("occurred_at");
      assertThat(turnRecord.findFieldByNumber(3).getMessageType()).isEqualTo(timestamp);
    }
    for (Descriptor questionRecord :
        List.of(BatchQuestion.getDescriptor(), BatchAnswer.getDescriptor())) {
      assertThat(questionRecord.findFieldByName("question_id")).as(questionRecord.getName())
          .isNotNull();
    }
    for (Descriptor anyRecord :
        List.of(
            TurnRecorded.getDescriptor(),
            EvidenceFound.getDescriptor(),
            CandidateFinished.getDescriptor(),
            RankingDone.getDescriptor(),
            AnswerChosen.getDescriptor(),
            BatchQuestion.getDescriptor(),
            BatchAnswer.getDescriptor(),
            DocumentToIndex.getDescriptor(),
            DeadLetter.getDescriptor())) {
      FieldDescriptor occurredAt = anyRecord.findFieldByName("occurred_at");
      assertThat(occurredAt).as("%s.occurred_at", anyRecord.getName()).isNotNull();
      assertThat(occurredAt.getMessageType()).isEqualTo(timestamp);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Wire compatibility
  // ---------------------------------------------------------------------------------------

  static Snippet snippet() {
    return Snippet.newBuilder()
        .setDocumentId("scifact-42")
        .setPassageId("scifact-42#3")
        .setTitle("Vitamin D and bone density")
        .setSource("scifact")
        .setUrl("https://example.org/42")
        .setText("Vitamin D supplementation increased bone density in the trial.")
        .setScore(12.5)
        .setStartOffset(1200)
        .setEndOffset(1263)
        .build();
  }

  static Candidate candidate() {
    return Candidate.newBuilder()
        .setIndex(2)
        .setText("Yes: supplementation increased bone density [1].")
        .setOrigin(CandidateOrigin.CANDIDATE_ORIGIN_GENERATED_WITH_EVIDENCE)
        .setMeanLogProbability(-0.82)
        .setTokenCount(14)
        .addEvidenceIndices(0)
        .setFinishReason(FinishReason.FINISH_REASON_EOS)
        .build();
  }

  static Stream<TurnEvent> oneTurnEventPerVariant() {
    TurnEvent header =
        TurnEvent.newBuilder()
            .setConversationId("c-1")
            .setTurnId("t-1")
            .setSequenceNumber(7)
            .build();
    return Stream.of(
        header.toBuilder()
            .setEvidence(Evidence.newBuilder()
                .setQuery("does vitamin d help bones")
                .setMode(SearchMode.SEARCH_MODE_HYBRID)
                .addSnippets(snippet())
                .setTotalHits(31))
            .build(),
        header.toBuilder()
            .setCandidateDelta(CandidateDelta.newBuilder()
                .setCandidateIndex(2)
                .setText("Yes")
                .setOrigin(CandidateOrigin.CANDIDATE_ORIGIN_GENERATED_WITH_EVIDENCE))
            .build(),
        header.toBuilder()
            .setCandidateDone(CandidateDone.newBuilder().setCandidate(candidate()))
            .build(),
        header.toBuilder()
            .setRanking(Ranking.newBuilder()
                .addScores(CandidateScore.newBuilder()
                    .setCandidateIndex(2)
                    .setReward(1.75)
                    .putFeatures("evidence_overlap", 0.6)
                    .addRuleViolations(RuleViolation.newBuilder()
                        .setRule("unsupported_claim")
                        .setDescription("claims a trial result not in the evidence")
                        .setPenalty(0.5)))
                .setBestCandidateIndex(2)
                .setScorerKind(ScorerKind.SCORER_KIND_LEARNED_MODEL)
                .setScorerName("preference-logistic")
                .setScorerVersion("sha256:0123"))
            .build(),
        header.toBuilder()
            .setAnswer(Answer.newBuilder()
                .setText(candidate().getText())
                .setCandidateIndex(2)
                .setOrigin(CandidateOrigin.CANDIDATE_ORIGIN_GENERATED_WITH_EVIDENCE)
                .addCitedSnippets(snippet())
                .setReward(1.75)
                .setScorerKind(ScorerKind.SCORER_KIND_LEARNED_MODEL))
            .build(),
        header.toBuilder()
            .setStatus(TurnStatus.newBuilder()
                .addStages(StageStatus.newBuilder()
                    .setStage(Stage.STAGE_SEARCH)
                    .setState(StageState.STAGE_STATE_OK)
                    .setDuration(Duration.newBuilder().setNanos(42_000_000)))
                .addStages(StageStatus.newBuilder()
                    .setStage(Stage.STAGE_RANK)
                    .setState(StageState.STAGE_STATE_DEGRADED)
                    .setReason("ranker: UNAVAILABLE connection refused"))
                .setOverallState(StageState.STAGE_STATE_DEGRADED)
                .setTotalDuration(Duration.newBuilder().setSeconds(2)))
            .build());
  }

  @Test
  void theVariantsCoverTheWholeOneof() {
    assertThat(oneTurnEventPerVariant().map(TurnEvent::getEventCase))
        .containsExactlyInAnyOrder(
            Arrays.stream(TurnEvent.EventCase.values())
                .filter(c -> c != TurnEvent.EventCase.EVENT_NOT_SET)
                .toArray(TurnEvent.EventCase[]::new));
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("oneTurnEventPerVariant")
  void aTurnEventOfEachVariantSurvivesTheWire(TurnEvent event)
      throws InvalidProtocolBufferException {
    TurnEvent parsed = TurnEvent.parseFrom(event.toByteArray());
    assertThat(parsed).isEqualTo(event);
    assertThat(parsed.getEventCase()).isEqualTo(event.getEventCase());
  }

  @Test
  void aReaderSkipsFieldsAndVariantsNewerThanItself() throws IOException {
    TurnEvent known =
        TurnEvent.newBuilder()
            .setConversationId("c-1")
            .setTurnId("t-1")
            .setSequenceNumber(9)
            .build();
    // What a newer writer could send: an envelope field in the free range 4..9 and a oneof
    // variant this reader has never heard of.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.write(known.toByteArray());
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.writeString(4, "a future envelope field");
    out.writeBytes(99, Snippet.newBuilder().setText("a future event").build().toByteString());
    out.flush();

    TurnEvent parsed = TurnEvent.parseFrom(bytes.toByteArray());

    assertThat(parsed.getConversationId()).isEqualTo("c-1");
    assertThat(parsed.getTurnId()).isEqualTo("t-1");
    assertThat(parsed.getSequenceNumber()).isEqualTo(9);
    assertThat(parsed.getEventCase()).isEqualTo(TurnEvent.EventCase.EVENT_NOT_SET);
    assertThat(parsed.getUnknownFields().hasField(4)).isTrue();
    assertThat(parsed.getUnknownFields().hasField(99)).isTrue();
    // A relay (the gateway to Kafka, a DLQ replay) passes what it does not know on unchanged.
    assertThat(ByteString.copyFrom(parsed.toByteArray()))
        .isEqualTo(ByteString.copyFrom(bytes.toByteArray()));
  }

  @Test
  void anEnumValueNewerThanTheReaderIsKeptNotLost() throws IOException {
    Candidate candidate = candidate().toBuilder().setOriginValue(42).build();
    Candidate parsed = Candidate.parseFrom(candidate.toByteArray());
    assertThat(parsed.getOrigin()).isEqualTo(CandidateOrigin.UNRECOGNIZED);
    assertThat(parsed.getOriginValue()).isEqualTo(42);
    assertThat(parsed).isEqualTo(candidate);
  }

  @Test
  void presenceSurvivesTheWire() throws IOException {
    TurnOptions greedyNoSearch =
        TurnOptions.newBuilder().setTemperature(0f).setSearchResultCount(0).build();
    TurnOptions parsed = TurnOptions.parseFrom(greedyNoSearch.toByteArray());
    assertThat(parsed.hasTemperature()).as("temperature 0 set explicitly").isTrue();
    assertThat(parsed.hasSearchResultCount()).as("search_result_count 0 set explicitly")
        .isTrue();
    assertThat(parsed.hasMaxTokens()).as("max_tokens left to the server").isFalse();
  }

  // ---------------------------------------------------------------------------------------
  // Helpers
  // ---------------------------------------------------------------------------------------

  /** One commentable element of a .proto file and its SourceCodeInfo path. */
  record Element(String kind, String name, List<Integer> path, EnumDescriptorProto enumType) {

    String shortName() {
      return name.substring(name.lastIndexOf('.') + 1);
    }
  }

  static List<Element> elementsOf(FileDescriptorProto file) {
    List<Element> elements = new ArrayList<>();
    for (int i = 0; i < file.getMessageTypeCount(); i++) {
      addMessage(elements, file.getMessageType(i), "", List.of(FILE_MESSAGE_TYPE, i));
    }
    for (int i = 0; i < file.getEnumTypeCount(); i++) {
      addEnum(elements, file.getEnumType(i), "", List.of(FILE_ENUM_TYPE, i));
    }
    for (int s = 0; s < file.getServiceCount(); s++) {
      ServiceDescriptorProto service = file.getService(s);
      List<Integer> servicePath = List.of(FILE_SERVICE, s);
      elements.add(new Element("service", service.getName(), servicePath, null));
      for (int m = 0; m < service.getMethodCount(); m++) {
        MethodDescriptorProto method = service.getMethod(m);
        elements.add(new Element("rpc", service.getName() + "." + method.getName(),
            append(servicePath, SERVICE_METHOD, m), null));
      }
    }
    return elements;
  }

  static void addMessage(
      List<Element> elements, DescriptorProto message, String scope, List<Integer> path) {
    if (message.getOptions().getMapEntry()) {
      return; // synthesized by protoc for a map field; the field carries the comment
    }
    String name = scope + message.getName();
    elements.add(new Element("message", name, path, null));
    for (int i = 0; i < message.getFieldCount(); i++) {
      elements.add(new Element("field", name + "." + message.getField(i).getName(),
          append(path, MESSAGE_FIELD, i), null));
    }
    for (int i = 0; i < message.getOneofDeclCount(); i++) {
      if (isSyntheticOneof(message, i)) {
        continue; // protoc's wrapper of a proto3 `optional` field
      }
      elements.add(new Element("oneof", name + "." + message.getOneofDecl(i).getName(),
          append(path, MESSAGE_ONEOF, i), null));
    }
    for (int i = 0; i < message.getNestedTypeCount(); i++) {
      addMessage(elements, message.getNestedType(i), name + ".",
          append(path, MESSAGE_NESTED_TYPE, i));
    }
    for (int i = 0; i < message.getEnumTypeCount(); i++) {
      addEnum(elements, message.getEnumType(i), name + ".", append(path, MESSAGE_ENUM_TYPE, i));
    }
  }

  static void addEnum(
      List<Element> elements, EnumDescriptorProto enumType, String scope, List<Integer> path) {
    String name = scope + enumType.getName();
    elements.add(new Element("enum", name, path, enumType));
    for (int i = 0; i < enumType.getValueCount(); i++) {
      elements.add(new Element("enum value", name + "." + enumType.getValue(i).getName(),
          append(path, ENUM_VALUE, i), null));
    }
  }

  static boolean isSyntheticOneof(DescriptorProto message, int oneofIndex) {
    List<FieldDescriptorProto> members = message.getFieldList().stream()
        .filter(field -> field.hasOneofIndex() && field.getOneofIndex() == oneofIndex)
        .toList();
    return members.size() == 1 && members.getFirst().getProto3Optional();
  }

  static Map<List<Integer>, String> leadingComments(SourceCodeInfo sourceCodeInfo) {
    Map<List<Integer>, String> comments = new HashMap<>();
    for (SourceCodeInfo.Location location : sourceCodeInfo.getLocationList()) {
      if (location.hasLeadingComments()) {
        comments.merge(List.copyOf(location.getPathList()), location.getLeadingComments(),
            (a, b) -> a + b);
      }
    }
    return comments;
  }

  static List<Integer> append(List<Integer> path, int... components) {
    List<Integer> longer = new ArrayList<>(path);
    for (int component : components) {
      longer.add(component);
    }
    return List.copyOf(longer);
  }

  /** {@code CandidateOrigin} to {@code CANDIDATE_ORIGIN}. */
  static String screamingSnakeCase(String pascalCase) {
    return pascalCase.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }

  static List<String> oneofFieldNames(Descriptor message, String oneof) {
    return message.getOneofs().stream()
        .filter(o -> o.getName().equals(oneof))
        .findFirst()
        .orElseThrow(() -> new AssertionError(message.getName() + " has no oneof " + oneof))
        .getFields().stream()
        .map(FieldDescriptor::getName)
        .toList();
  }

  @Test
  void screamingSnakeCaseOfEnumNames() {
    Map<String, String> expected = new TreeMap<>(Map.of(
        "Role", "ROLE",
        "CandidateOrigin", "CANDIDATE_ORIGIN",
        "DeadLetterCause", "DEAD_LETTER_CAUSE",
        "SearchMode", "SEARCH_MODE"));
    expected.forEach((in, out) -> assertThat(screamingSnakeCase(in)).isEqualTo(out));
  }
}
