/**
 * JSON Schema of search-space files. This object is the source of truth: ajv validates against it
 * (space.ts) and schema/search-space.schema.json is its published copy for editor completion (a test fails
 * when the two differ; regenerate with writeSpaceSchemaFile()).
 */
import * as fs from 'fs';
import * as path from 'path';

export const SPACE_SCHEMA = {
  "$schema": "http://json-schema.org/draft-07/schema#",
  "$id": "https://frontier-gate.dev/schema/search-space.schema.json",
  "title": "frontier-gate search space",
  "description": "A macro network (stem, head, resolution choices) and, per stage, the allowed blocks, depth range and width choices. Sampling yields architecture configs in format v1.",
  "type": "object",
  "additionalProperties": false,
  "required": [
    "name",
    "resolution",
    "stem",
    "stages"
  ],
  "definitions": {
    "activation": {
      "enum": [
        "relu",
        "relu6",
        "swish",
        "hswish",
        "gelu",
        "sigmoid"
      ]
    },
    "posInt": {
      "type": "integer",
      "minimum": 1
    },
    "intChoices": {
      "oneOf": [
        {
          "type": "integer",
          "minimum": 1
        },
        {
          "type": "array",
          "items": {
            "type": "integer",
            "minimum": 1
          },
          "minItems": 1,
          "uniqueItems": true
        }
      ]
    },
    "kernelChoices": {
      "oneOf": [
        {
          "type": "integer",
          "minimum": 1,
          "maximum": 15
        },
        {
          "type": "array",
          "items": {
            "type": "integer",
            "minimum": 1,
            "maximum": 15
          },
          "minItems": 1,
          "uniqueItems": true
        }
      ]
    },
    "expandChoices": {
      "oneOf": [
        {
          "type": "number",
          "exclusiveMinimum": 0,
          "maximum": 16
        },
        {
          "type": "array",
          "items": {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": 16
          },
          "minItems": 1,
          "uniqueItems": true
        }
      ]
    },
    "seChoices": {
      "oneOf": [
        {
          "type": "number",
          "minimum": 0,
          "maximum": 4
        },
        {
          "type": "array",
          "items": {
            "type": "number",
            "minimum": 0,
            "maximum": 4
          },
          "minItems": 1,
          "uniqueItems": true
        }
      ]
    },
    "blockType": {
      "enum": [
        "conv",
        "mbconv",
        "fused_mbconv",
        "basic",
        "bottleneck",
        "dw_bottleneck"
      ]
    },
    "s2d": {
      "enum": [
        "none",
        "conv",
        "reshape"
      ]
    },
    "block": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "block",
        "kernel",
        "expand"
      ],
      "properties": {
        "block": {
          "oneOf": [
            {
              "$ref": "#/definitions/blockType"
            },
            {
              "type": "array",
              "items": {
                "$ref": "#/definitions/blockType"
              },
              "minItems": 1,
              "uniqueItems": true
            }
          ]
        },
        "kernel": {
          "$ref": "#/definitions/kernelChoices"
        },
        "expand": {
          "$ref": "#/definitions/expandChoices"
        },
        "se": {
          "$ref": "#/definitions/seChoices"
        },
        "act": {
          "oneOf": [
            {
              "$ref": "#/definitions/activation"
            },
            {
              "type": "array",
              "items": {
                "$ref": "#/definitions/activation"
              },
              "minItems": 1,
              "uniqueItems": true
            }
          ]
        },
        "space_to_depth": {
          "oneOf": [
            {
              "$ref": "#/definitions/s2d"
            },
            {
              "type": "array",
              "items": {
                "$ref": "#/definitions/s2d"
              },
              "minItems": 1,
              "uniqueItems": true
            }
          ]
        }
      }
    },
    "stage": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "channels",
        "stride",
        "depth",
        "blocks"
      ],
      "properties": {
        "name": {
          "type": "string"
        },
        "channels": {
          "$ref": "#/definitions/intChoices"
        },
        "stride": {
          "enum": [
            1,
            2
          ]
        },
        "depth": {
          "description": "[min, max] layers, or a single count",
          "oneOf": [
            {
              "type": "integer",
              "minimum": 1,
              "maximum": 32
            },
            {
              "type": "array",
              "items": {
                "type": "integer",
                "minimum": 1,
                "maximum": 32
              },
              "minItems": 2,
              "maxItems": 2
            }
          ]
        },
        "blocks": {
          "type": "array",
          "items": {
            "$ref": "#/definitions/block"
          },
          "minItems": 1
        }
      }
    }
  },
  "properties": {
    "name": {
      "type": "string",
      "pattern": "^[A-Za-z0-9][A-Za-z0-9_.-]*$",
      "maxLength": 100
    },
    "description": {
      "type": "string"
    },
    "source": {
      "type": "string"
    },
    "resolution": {
      "$ref": "#/definitions/intChoices"
    },
    "channels": {
      "type": "integer",
      "minimum": 1,
      "maximum": 64
    },
    "classes": {
      "type": "integer",
      "minimum": 0
    },
    "divisor": {
      "type": "integer",
      "minimum": 1
    },
    "dropout": {
      "type": "number",
      "minimum": 0,
      "maximum": 1
    },
    "stem": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "channels",
        "kernel",
        "stride"
      ],
      "properties": {
        "channels": {
          "$ref": "#/definitions/posInt"
        },
        "kernel": {
          "type": "integer",
          "minimum": 1,
          "maximum": 15
        },
        "stride": {
          "enum": [
            1,
            2,
            4
          ]
        },
        "act": {
          "$ref": "#/definitions/activation"
        },
        "pool": {
          "enum": [
            "none",
            "max"
          ]
        }
      }
    },
    "head": {
      "type": "object",
      "additionalProperties": false,
      "required": [
        "channels"
      ],
      "properties": {
        "channels": {
          "type": "integer",
          "minimum": 0
        },
        "act": {
          "$ref": "#/definitions/activation"
        }
      }
    },
    "stages": {
      "type": "array",
      "items": {
        "$ref": "#/definitions/stage"
      },
      "minItems": 1,
      "maxItems": 16
    },
    "reduction": {
      "description": "Written by `profile --reduce`: what was removed and why (recorded only).",
      "type": "array"
    }
  }
} as const;

export function spaceSchemaJson(): string {
  return JSON.stringify(SPACE_SCHEMA, null, 2) + '\n';
}

export function writeSpaceSchemaFile(file = path.join(__dirname, '..', '..', 'schema', 'search-space.schema.json')): void {
  fs.writeFileSync(file, spaceSchemaJson());
}
