/**
 * The sampling, output and tool fields of a Responses API request in the Chat Completions form the
 * providers forward upstream (docs/responses-api.md#from-input-to-a-turn).
 */
import type { ResponsesRequest } from '@clawgate/openai-schemas';
import type { ForwardedParameters } from '../../agent/agent-runner.js';

/**
 * Maps `temperature`, `top_p`, `max_output_tokens` (→ `max_completion_tokens`), `tools` (flat →
 * nested under `function`), `tool_choice` and `text.format` (→ `response_format`; plain text is the
 * upstream's default and is not sent).
 *
 * @example
 * responsesParameters({ model: 'openclaw', max_output_tokens: 50 }); // { max_completion_tokens: 50 }
 */
export function responsesParameters(request: ResponsesRequest): ForwardedParameters {
  const parameters: ForwardedParameters = {};
  if (request.temperature !== undefined) parameters.temperature = request.temperature;
  if (request.top_p !== undefined) parameters.top_p = request.top_p;
  if (request.max_output_tokens !== undefined) parameters.max_completion_tokens = request.max_output_tokens;
  if (request.tools !== undefined && request.tools.length > 0) {
    parameters.tools = request.tools.map((tool) => ({
      type: 'function' as const,
      function: {
        name: tool.name,
        ...(typeof tool.description === 'string' ? { description: tool.description } : {}),
        ...(tool.parameters ? { parameters: tool.parameters } : {}),
        ...(typeof tool.strict === 'boolean' ? { strict: tool.strict } : {}),
      },
    }));
  }
  const choice = request.tool_choice;
  if (choice !== undefined) {
    parameters.tool_choice =
      typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
  }
  const format = request.text?.format;
  if (format?.type === 'json_object') parameters.response_format = { type: 'json_object' };
  if (format?.type === 'json_schema') {
    parameters.response_format = {
      type: 'json_schema',
      json_schema: {
        name: format.name,
        schema: format.schema,
        ...(format.description === undefined ? {} : { description: format.description }),
        ...(typeof format.strict === 'boolean' ? { strict: format.strict } : {}),
      },
    };
  }
  return parameters;
}
