import {
  Kind,
  parse,
  print,
  type DefinitionNode,
  type DocumentNode,
  type EnumTypeDefinitionNode,
  type FieldDefinitionNode,
  type InputObjectTypeDefinitionNode,
  type InputValueDefinitionNode,
  type ObjectTypeDefinitionNode,
} from 'graphql';

type Named = ObjectTypeDefinitionNode | InputObjectTypeDefinitionNode | EnumTypeDefinitionNode;

function typesOf(document: DocumentNode): Map<string, Named> {
  const out = new Map<string, Named>();
  const merge = (def: DefinitionNode) => {
    if (def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.OBJECT_TYPE_EXTENSION) {
      const prev = out.get(def.name.value) as ObjectTypeDefinitionNode | undefined;
      out.set(def.name.value, {
        ...(prev ?? { kind: Kind.OBJECT_TYPE_DEFINITION, name: def.name }),
        fields: [...(prev?.fields ?? []), ...(def.fields ?? [])],
      } as ObjectTypeDefinitionNode);
    } else if (def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION || def.kind === Kind.ENUM_TYPE_DEFINITION) {
      out.set(def.name.value, def);
    }
  };
  document.definitions.forEach(merge);
  return out;
}

const signature = (args: readonly InputValueDefinitionNode[] | undefined) => new Map((args ?? []).map((a) => [a.name.value, print(a.type)]));

/**
 * Checks that a province service's SDL implements the regional contract: every contract type,
 * field, argument and enum value is there with the same type. Extra fields are allowed (a
 * province may publish more). Returns the problems found, empty when it conforms.
 */
export function checkContract(contractSdl: string, candidateSdl: string): string[] {
  let candidateDoc: DocumentNode;
  try {
    candidateDoc = parse(candidateSdl);
  } catch (error) {
    return [`the service's SDL does not parse: ${(error as Error).message}`];
  }
  const contract = typesOf(parse(contractSdl));
  const candidate = typesOf(candidateDoc);
  const problems: string[] = [];
  for (const [name, want] of contract) {
    const have = candidate.get(name);
    if (!have) {
      problems.push(`type ${name} is missing`);
      continue;
    }
    if (want.kind === Kind.ENUM_TYPE_DEFINITION) {
      const values = new Set(((have as EnumTypeDefinitionNode).values ?? []).map((v) => v.name.value));
      for (const v of want.values ?? []) if (!values.has(v.name.value)) problems.push(`enum ${name} lacks value ${v.name.value}`);
      continue;
    }
    const haveFields = new Map<string, FieldDefinitionNode | InputValueDefinitionNode>(((have as ObjectTypeDefinitionNode).fields ?? []).map((f) => [f.name.value, f]));
    for (const f of want.fields ?? []) {
      const h = haveFields.get(f.name.value);
      if (!h) {
        problems.push(`${name}.${f.name.value} is missing`);
        continue;
      }
      if (print(h.type) !== print(f.type)) problems.push(`${name}.${f.name.value} has type ${print(h.type)}, the contract says ${print(f.type)}`);
      if (f.kind === Kind.FIELD_DEFINITION) {
        const haveArgs = signature((h as FieldDefinitionNode).arguments);
        for (const [arg, type] of signature(f.arguments)) {
          if (haveArgs.get(arg) !== type) problems.push(`${name}.${f.name.value}(${arg}:) should be ${type}${haveArgs.has(arg) ? `, not ${haveArgs.get(arg)}` : ''}`);
        }
      }
    }
  }
  return problems;
}
