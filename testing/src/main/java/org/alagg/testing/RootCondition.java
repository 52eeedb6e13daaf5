package org.alagg.testing;

import java.lang.reflect.AnnotatedElement;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The condition behind {@link RequiresRoot}: disabled with a reason when not root or a tool is missing; a
 * failure (the condition throws) when {@code CI=true}.
 */
public final class RootCondition implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Set<String> tools = new LinkedHashSet<>();
        tools.add("ip");
        boolean annotated = false;
        for (ExtensionContext c = context; c != null; c = c.getParent().orElse(null)) {
            Optional<AnnotatedElement> element = c.getElement();
            if (element.isPresent()) {
                Optional<RequiresRoot> found = AnnotationSupport.findAnnotation(element.get(), RequiresRoot.class);
                if (found.isPresent()) {
                    annotated = true;
                    tools.addAll(Set.of(found.get().tools()));
                }
            }
        }
        if (!annotated) {
            return ConditionEvaluationResult.enabled("no @RequiresRoot");
        }
        String reason = RootAssumptions.whyNot(tools.toArray(new String[0]));
        if (reason == null) {
            return ConditionEvaluationResult.enabled("running as root with " + String.join(", ", tools));
        }
        if (RootAssumptions.isCi()) {
            throw new IllegalStateException(RootAssumptions.ciFailure(reason));
        }
        return ConditionEvaluationResult.disabled(RootAssumptions.skipReason(reason));
    }
}
