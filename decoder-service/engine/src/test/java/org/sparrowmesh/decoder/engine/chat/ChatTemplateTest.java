package org.sparrowmesh.decoder.engine.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.sparrowmesh.decoder.engine.SharedTestData;
import org.sparrowmesh.decoder.engine.gguf.GGUFFile;
import org.sparrowmesh.decoder.engine.tokenizer.Tokenizer;

class ChatTemplateTest {

    // ChatML as Qwen / TinyLlama-style models ship it
    private static final String CHATML = """
            {% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}""";

    // the Llama-2 chat shape: BOS written by the template, roles checked with raise_exception
    private static final String LLAMA2 = """
            {% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' ' + message['content'] + ' ' + eos_token }}{% endif %}{% endfor %}""";

    private static GGUFFile gguf;
    private static Tokenizer tokenizer;

    @BeforeAll
    static void load() throws Exception {
        gguf = GGUFFile.open(SharedTestData.stories260K());
        tokenizer = Tokenizer.fromGGUF(gguf.metadata());
    }

    @AfterAll
    static void close() {
        gguf.close();
    }

    @Test
    void aModelWithoutTemplateGetsAPlainTranscriptEndingWithTheAssistantsTurn() {
        ChatTemplate template = ChatTemplate.of(gguf.metadata(), tokenizer);
        assertThat(template.isPlainTranscript()).isTrue();
        ChatPrompt prompt = template.render(List.of(Message.system("Be brief."), Message.user("Hi there "),
                Message.assistant("Hello."), Message.user("Who was Lily?")));
        assertThat(prompt.text()).isEqualTo("System: Be brief.\nUser: Hi there\nAssistant: Hello.\nUser: Who was Lily?\nAssistant:");
        assertThat(prompt.addBos()).isTrue();
        assertThat(prompt.parseSpecial()).isFalse();
        assertThat(prompt.extraStopStrings()).containsExactly("\nUser:");
    }

    @Test
    void chatMlRendersEveryMessageAndOpensTheAssistantsReply() {
        ChatPrompt prompt = ChatTemplate.of(CHATML, tokenizer).render(List.of(Message.system("S"), Message.user("Q")));
        assertThat(prompt.text()).isEqualTo("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nQ<|im_end|>\n<|im_start|>assistant\n");
        assertThat(prompt.parseSpecial()).isTrue();
        assertThat(prompt.addBos()).isTrue();
    }

    @Test
    void aTemplateThatWritesBosItselfIsNotGivenASecondOne() {
        ChatPrompt prompt = ChatTemplate.of(LLAMA2, tokenizer).render(List.of(Message.user("Hi")));
        assertThat(prompt.text()).isEqualTo("<s>[INST] Hi [/INST]");
        assertThat(prompt.addBos()).isFalse();
    }

    @Test
    void aTemplatesRaiseExceptionBecomesAClearRefusal() {
        ChatTemplate template = ChatTemplate.of(LLAMA2, tokenizer);
        assertThatThrownBy(() -> template.render(List.of(Message.assistant("first"), Message.user("Hi"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("roles must alternate");
        assertThatThrownBy(() -> template.render(List.of())).hasMessageContaining("messages");
    }
}
