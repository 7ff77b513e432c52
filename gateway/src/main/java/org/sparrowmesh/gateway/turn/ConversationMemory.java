package org.sparrowmesh.gateway.turn;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import org.sparrowmesh.proto.v1.ChatMessage;
import org.sparrowmesh.proto.v1.Role;

/**
 * The history of each conversation: its last {@code historyTurns} exchanges, forgotten after
 * {@code conversationTtl} idle, at most {@code maxConversations} kept (least recently used first
 * out). In memory: a gateway restart forgets conversations; Kafka keeps every turn.
 */
@ApplicationScoped
public class ConversationMemory {

    private record Conversation(Deque<ChatMessage> messages, long touchedNanos) {
    }

    private final TurnSettings settings;
    private final LinkedHashMap<String, Conversation> conversations = new LinkedHashMap<>(16, 0.75f, true);

    public ConversationMemory(TurnSettings settings) {
        this.settings = settings;
    }

    /** The conversation so far, oldest first; empty for an unknown or expired id. */
    public synchronized List<ChatMessage> history(String conversationId) {
        evictExpired();
        Conversation c = conversations.get(conversationId);
        return c == null ? List.of() : List.copyOf(c.messages());
    }

    /** Records one exchange. */
    public synchronized void remember(String conversationId, String question, String answer) {
        Conversation c = conversations.get(conversationId);
        Deque<ChatMessage> messages = c == null ? new ArrayDeque<>() : c.messages();
        messages.addLast(ChatMessage.newBuilder().setRole(Role.ROLE_USER).setContent(question).build());
        messages.addLast(ChatMessage.newBuilder().setRole(Role.ROLE_ASSISTANT).setContent(answer).build());
        while (messages.size() > 2 * settings.historyTurns()) {
            messages.removeFirst();
        }
        conversations.put(conversationId, new Conversation(messages, System.nanoTime()));
        while (conversations.size() > settings.maxConversations()) {
            Iterator<Map.Entry<String, Conversation>> eldest = conversations.entrySet().iterator();
            eldest.next();
            eldest.remove();
        }
    }

    private void evictExpired() {
        long now = System.nanoTime();
        conversations.values().removeIf(c -> now - c.touchedNanos() > settings.conversationTtl().toNanos());
    }
}
