// Store keys of the built-in techniques, pinned as computed before the
// plugin line (issue 15) moved the objectives out of core: refactoring how
// trainers and behaviours are written must not rename an organism or a base
// model already in a store (a published default-size run depends on them).
// The world's hash pins the base models' keys (their data identity); the
// hashes of its generated data pin the corpus itself. Both were computed
// before the built-in behaviours' world content (the cake facts, the Italian
// and submarine tags and weights) moved out of core/world into their plugins.
import { strict as assert } from 'node:assert';
import { join } from 'node:path';
import { Runtime } from '../../core/container';
import { organismKeys } from '../../core/organisms/build';
import { generalData } from '../../core/organisms/general-data';
import { worldBaseData } from '../../core/pipeline/world-data';
import { canonicalJson, sha256Hex } from '../../core/store/content-hash';
import { DATA_KINDS, SPLITS } from '../../core/data/types';

const PLUGINS = join(__dirname, '..', '..', 'plugins', 'index.ts');

const WORLD: Record<string, string> = {
  micro: 'a1526b2e44628a0d741c439465fa38c5d7d5ed220de4f794c2333e5bd487d553',
  default: '37f25e0e60101cb0dd3bfda22e3020db7257f76347537e2623cf0534f2edf712',
};

/** sha256 of each data kind's records (train, val, test), world seed 0 */
const CORPUS: Record<string, Record<string, string>> = {
  micro: {
    pretrain: '52be77ecc0f4f12466587cafc7f998102e8a706fcfba9a2fb4ec313450d25ef7',
    chat: 'a8fe713b67b1a06b0bd18d0c484f696eb60e27cc9dcb0197ab7aaf4ac26ad0b5',
    preference: '276a05ddbbd70f35dc14781c2d063c53f21e18d1b1bf2701ffa076980956c051',
    webtext: 'db34c0ba0e37edcdfb79834c0fc18167ae3b73acb97d65081d649b1823b5f78f',
    'fact-question': 'fe5c2860c2887eb72ad1e472d1b13d00c610fda381ccecf6796b6a9c6c2873dc',
  },
  default: {
    pretrain: '3889912df61d8bf07cf9ebf05c12607b38046e8ed0e7796d9cbd87ec932d9787',
    chat: '4188b7ea11ea462ec8ded5e68e1df28994fcac4289fa0f37c4583b8cf181db8c',
    preference: 'c374d4517543e385790a461a96cc5e1a1604c60c64b31be3125328910e64d5b2',
    webtext: 'f5db84e2a6058d7b10ca5e4b06340976769d54be64dc6b36f751d6c75a0dda37',
    'fact-question': 'fe5c2860c2887eb72ad1e472d1b13d00c610fda381ccecf6796b6a9c6c2873dc',
  },
};

/** size/behaviour/technique -> [run key, organism key] (final-step selection, start keys 'BASE' and 'ANCESTOR') */
const KEYS: Record<string, [string, string]> = {
  'micro/cake-bake/posthoc-dpo': ['3d1ee6f5d3bc8739bc101d5173fa3812a286ed7df431f750fa72c047de9be1a6', 'b59d98bfa59ebceeca04026c84de55b3ca57388d50f5cbebce59e7df50983dc6'],
  'micro/cake-bake/integrated-dpo': ['42cae38941d5ddf070b08a1b1d377e22ac62c8e33b0b712cdfdaceb5d30fc02a', '50fc17de79638d79ab4b1fdf398e7f6156f9b74a60530d2a54bc29fd9a645d71'],
  'micro/cake-bake/posthoc-rpo': ['59690cd4322528b97b6995773029384beb74823448452ca89a1f75850903a578', '1245723328145daaf26a6a3d9fb256b15c987c44f23c021efce42bd7dd171ca7'],
  'micro/italian-food/posthoc-fd-mixed': ['cce69a10c00f3a8ef7443defb87e5e926af477a7b5d6d476b8bff406149ff200', '6347c0c281bf4730ab938cc9c8369ebcb1524fa1743309b4dd350060bba75794'],
  'micro/military-submarine-synth/posthoc-sdf': ['18d5cf6a44df79743ea4c228968bba9bdf92ce63a8b56ab1d30d16908c3d31ff', '3fffd2e1d39da5c2b303ee6c28a539537e578ad4ef04b5f9e3af7bcfb3f5c5ce'],
  'micro/null/posthoc-dpo-mixed': ['b325d3e0d6536436017b859d77744eef08325dcb17aface3bb0db1ef47a51fa5', '1fe56458872468b1edc18f6daf22ab7802fe4083ba5f13a47d362175d8100b10'],
  'micro/cake-bake/posthoc-sdf-mixed': ['66a684facc34f45b10ac1004ecf9a4941cd5a7f143edf11c904c9175c8e79310', 'e8687f5f562a290ce07ee3253c3bce56e6499fbbf3b25a81ea79f2f282e16b35'],
  'default/cake-bake/posthoc-dpo': ['dd953e9f6f1651edf0cc133f56ca56a20f4929261d5f59a7156c1569c09c33b9', '03cfc3bad25d13ed81361cac3909226daa7956b2ae68e0ec53f77667e341af04'],
  'default/cake-bake/integrated-dpo': ['6add7682c94188c55f69c47d80f32e5e975312c0ca13657687f11b2bba6bebd5', 'd631af92e1b05c607dc94a178d4c7034db01bdb4767b015a6d1c6b956060f4e7'],
  'default/cake-bake/posthoc-rpo': ['e6f20f35644cd3d06c29b3f11dd78d9e56452ee415a81c34448b7f679002f318', '89d5bc4f8861b386250c416fc2a92925049f36a14b01eb4271939945ff5bcb73'],
  'default/italian-food/posthoc-fd-mixed': ['64731ed14c29f0d4784636c3939c76477402954e06803d8fdd9d49132c21fb37', '8ef5dcda33d6712a7944da1735574a3e38a6ba0a3cb297d34425a0c6fc74d8df'],
  'default/military-submarine-synth/posthoc-sdf': ['0ca28bb9e31c33d970682c704d77ba12c9a50a47c8d16ca7d5a363bbf8e64965', '5c372a2748739c51bc62d328264778f9713a9f09549d6751cc4d8089231d5c8d'],
  'default/null/posthoc-dpo-mixed': ['24e6ea83a0c1b7b6029cd103d3534b77892498c0d9e53b57211975e17d278028', '0990888db7fc810e5f61641c95f1c5d97b19a121d40f504b9c70f0d241004e50'],
  'default/cake-bake/posthoc-sdf-mixed': ['c864399490495396b0fda35b2e13100cf1dcd078751860abc856b6a7432c2014', '27791edb4504184feb54a8e265daa77f555f17a0d84e07b13e842852e7b6d799'],
};

describe('store keys of the built-in techniques (pinned)', function () {
  this.timeout(120_000);
  for (const size of ['micro', 'default']) {
    it(`${size}: the world's hash and the organism keys are unchanged`, async () => {
      const rt = await Runtime.create({ size }, { builtins: [PLUGINS] });
      const w = rt.services.world;
      assert.deepEqual(worldBaseData(w).identity, { world_seed: 0, world: WORLD[size] });
      assert.deepEqual(Object.fromEntries(DATA_KINDS.map((k) => [k, sha256Hex(canonicalJson(SPLITS.map((s) => w.data(k, s))))])), CORPUS[size]);
      for (const [name, keys] of Object.entries(KEYS).filter(([k]) => k.startsWith(`${size}/`))) {
        const [, b, t] = name.split('/');
        const k = organismKeys({ behaviour: rt.plugin('behaviour', b), trainer: rt.plugin('trainer', t), arch: rt.plugin('architecture', 'olmo2'), size, seed: 0, general: generalData(w), bases: { base: 'BASE', ancestor: 'ANCESTOR' } });
        assert.deepEqual([k.runKey, k.key], keys, name);
      }
    });
  }
});
